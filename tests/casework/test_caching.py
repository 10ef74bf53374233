"""Nothing a signed-in user is shown is kept by a shared laptop's browser or a proxy:
every response Django serves carries ``Cache-Control: no-store, private`` (one middleware,
not a header per view)."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from casework.middleware import NO_STORE
from contacts import compliance
from tests.caseplans.conftest import draft_plan
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


def _not_stored(response):
    assert response["Cache-Control"] == NO_STORE, response.get("Cache-Control")


def test_the_header_is_what_the_requirement_says():
    assert NO_STORE == "no-store, private"


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker)


def test_a_case_page_is_not_stored(client, cast, family):
    client.force_login(cast.worker)
    response = client.get(family.get_absolute_url())
    assert response.status_code == 200
    _not_stored(response)


def test_a_case_plan_pdf_is_not_stored(client, cast, family):
    draft_plan(family, cast.worker)
    client.force_login(cast.worker)
    response = client.get(f"/plans/cases/{family.reference}/v1/pdf/?copy=family")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _not_stored(response)


def test_csv_exports_are_not_stored(client, cast, family):
    from django.utils import timezone

    month = timezone.localdate().replace(day=1)
    compliance.case_months_recompute(cases=type(family).objects.all(), month=month)
    client.force_login(cast.manager)
    for url in ("/contacts/dashboard/?export=team", f"/contacts/dashboard/cases/?month={month:%Y-%m}&export=csv"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "text/csv", url
        _not_stored(response)


def test_api_answers_are_not_stored_with_a_session_or_a_token(client, cast, family):
    client.force_login(cast.worker)
    response = client.get(f"/api/cases/{family.reference}/")
    assert response.status_code == 200
    _not_stored(response)
    client.logout()
    call_command("drf_create_token", cast.worker.username, verbosity=0)
    token = Token.objects.get(user=cast.worker).key
    response = client.get(f"/api/cases/{family.reference}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    _not_stored(response)


def test_redirects_errors_and_the_sign_in_page_are_not_stored_either(client, cast):
    _not_stored(client.get("/accounts/login/"))
    _not_stored(client.get("/cases/"))  # the redirect to sign in
    client.force_login(cast.worker)
    _not_stored(client.get("/cases/NO-SUCH-CASE/"))
