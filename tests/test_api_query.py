"""List parameters the API cannot read are refused with the reason, never silently dropped
(casework/api_query.py): a client that asked for a filter must not get the whole list."""

import pytest

from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_worker(client, cast):
    make_family_case(cast.worker)
    make_family_case(cast.worker)
    client.force_login(cast.worker)
    return client


@pytest.mark.parametrize("query,field,reason", [
    ({"active": "maybe"}, "active", "Give true or false."),
    ({"active": "-3"}, "active", "Give true or false."),
    ({"active": ""}, "active", "Give a value, or leave the parameter out."),
    ({"service_type": ""}, "service_type", "Give a value, or leave the parameter out."),
    ({"ordering": ""}, "ordering", "Give a field to order by, or leave the parameter out."),
])
def test_a_filter_it_cannot_read_answers_400_naming_it(signed_in_worker, query, field, reason):
    response = signed_in_worker.get("/api/services/", query)
    assert response.status_code == 400
    assert response.json() == {field: [reason]}


def test_an_unknown_ordering_answers_400_with_the_choices(signed_in_worker):
    response = signed_in_worker.get("/api/contacts/", {"ordering": "-secret_field"})
    assert response.status_code == 400
    assert response.json() == {"ordering": [
        "Cannot order by -secret_field: order by occurred_at (a leading - for descending)."]}


@pytest.mark.parametrize("page", ["", "0", "-1", "two", "1.5", "١"])
def test_a_page_that_is_not_a_whole_number_answers_404(signed_in_worker, page):
    response = signed_in_worker.get("/api/cases/", {"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page: give a whole number from 1, or leave the parameter out."}


def test_readable_parameters_still_filter_order_and_page(signed_in_worker, cast):
    cases = signed_in_worker.get("/api/cases/", {"page": "1"}).json()
    assert cases["count"] == 2
    assert signed_in_worker.get("/api/cases/", {"page": "last"}).json()["results"] == cases["results"]
    assert signed_in_worker.get("/api/services/", {"active": "true"}).status_code == 200
    assert signed_in_worker.get("/api/services/", {"active": "False"}).status_code == 200
    assert signed_in_worker.get("/api/contacts/", {"ordering": "-occurred_at"}).status_code == 200
