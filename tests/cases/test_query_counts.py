""""My cases" and the case page cost a fixed number of SQL queries, whatever the number
of cases or members (measured at two sizes and compared)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # warm caches (content types, session) so both sizes are measured alike
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _add_members(case, count):
    for _ in range(count):
        child = f.MemberFactory(case=case, role="child")
        f.LegalStatusFactory(member=child)
        f.ChildGoalFactory(member=child)
        f.LivingArrangementFactory(member=child, kind="at_home", with_person=case.parents[0].person)
        parent = f.MemberFactory(case=case, role="parent")
        f.AddressFactory(person=parent.person)


@pytest.mark.parametrize("role,url", [
    ("worker", "/cases/"),
    ("worker", "/cases/?scope="),
    ("leader", "/cases/"),
    ("manager", "/cases/"),
])
def test_case_lists_do_not_grow_with_the_number_of_cases(client, cast, role, url):
    client.force_login(getattr(cast, role))
    for _ in range(3):
        make_family_case(cast.worker)
    small = _queries(client, url)
    for _ in range(9):
        make_family_case(cast.worker, children=3)
    large = _queries(client, url)
    assert large == small, (small, large)
    assert small <= 20


def test_the_search_partial_does_not_grow_with_the_number_of_cases(client, cast):
    client.force_login(cast.worker)
    for _ in range(3):
        make_family_case(cast.worker)
    small = _queries(client, "/cases/?q=Child")
    for _ in range(9):
        make_family_case(cast.worker)
    assert _queries(client, "/cases/?q=Child") == small


def test_the_case_page_does_not_grow_with_the_number_of_members(client, cast):
    client.force_login(cast.worker)
    case = make_family_case(cast.worker, children=1)
    _add_members(case, 1)
    url = f"/cases/{case.reference}/"
    small = _queries(client, url)
    _add_members(case, 6)
    f.RiskAssessmentFactory.create_batch(4, case=case)
    large = _queries(client, url)
    assert large == small, (small, large)


@pytest.mark.parametrize("page", ["", "history/"])
def test_the_case_page_and_its_record_history_do_not_grow_with_the_record_history(client, cast, page):
    from cases.services import case_update

    client.force_login(cast.worker)
    case = make_family_case(cast.worker)
    url = f"/cases/{case.reference}/{page}"
    small = _queries(client, url)
    for phase in ["review", "ongoing_intervention"] * 5:
        case_update(user=cast.worker, case=case, lock_version=case.lock_version, phase=phase)
    assert _queries(client, url) == small


def test_the_case_page_does_not_ask_again_whether_the_user_sees_the_case(client, cast):
    """Its sections ask what the user may do about ten times; the case was just loaded
    through the visible set, so none of them asks the database again."""
    client.force_login(cast.worker)
    case = make_family_case(cast.worker, children=2)
    client.get(f"/cases/{case.reference}/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/cases/{case.reference}/").status_code == 200
    visibility = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT 1 AS "a" FROM "cases_case"')]
    assert visibility == []
    assert len(captured) <= 40  # 54 before: a visibility query per section's check, the record history
