"""The access rules as a matrix: each role × own / team's / other team's / other office's
case, for every case page, action and API endpoint. Denied means 404 (never revealing
that the case exists) or, for people who may see but not change a case, 403."""

import pytest

from cases.models import Case
from cases.permissions import share_case, visible_cases

POSITIONS = ["own", "team", "other_team", "other_office"]

# Who sees which case (positions are relative to cast.worker in team A, office 1).
VISIBLE = {
    "worker": {"own", "team"},
    "colleague": {"own", "team"},
    "support_officer": {"own", "team"},
    "other_team_worker": {"other_team"},
    "leader": {"own", "team"},
    "other_team_leader": {"other_team"},
    "manager": {"own", "team", "other_team"},
    "other_office_manager": {"other_office"},
    "administrator": set(),
}
EDITORS = {"worker", "colleague", "support_officer", "other_team_worker", "leader", "other_team_leader"}
# Team leaders reallocate within their teams; managers transfer between their offices' teams.
ALLOCATORS = {"leader", "other_team_leader", "manager", "other_office_manager"}


def _matrix():
    for role in VISIBLE:
        for position in POSITIONS:
            yield role, position


def _expected(role, position, needed):
    if position not in VISIBLE[role]:
        return 404
    allowed = {"view": True, "edit": role in EDITORS, "allocate": role in ALLOCATORS}[needed]
    return 200 if allowed else 403


def _pages(case):
    ref = case.reference
    child, parent = case.children[0], case.parents[0]
    return [
        ("view", f"/cases/{ref}/"),
        ("edit", f"/cases/{ref}/edit/"),
        ("edit", f"/cases/{ref}/members/new/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/edit/"),
        ("edit", f"/cases/{ref}/members/{parent.pk}/address/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/legal-status/new/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/goal/new/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/living-arrangement/new/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/legal-status/{child.legal_statuses.get().pk}/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/goal/{child.goals.get().pk}/"),
        ("edit", f"/cases/{ref}/members/{child.pk}/living-arrangement/{child.living_arrangements.get().pk}/"),
        ("edit", f"/cases/{ref}/members/{parent.pk}/edit/"),
        ("edit", f"/cases/{ref}/members/new/?find={parent.person.family_name}"),
        ("edit", f"/cases/{ref}/risk/new/"),
        ("edit", f"/cases/{ref}/risk/{case.risk_assessments.get().pk}/"),
        ("allocate", f"/cases/{ref}/reallocate/"),
        ("view", f"/api/cases/{ref}/"),
        ("view", f"/api/members/{child.pk}/"),
        ("view", f"/api/legal-statuses/{child.legal_statuses.get().pk}/"),
        ("view", f"/api/goals/{child.goals.get().pk}/"),
        ("view", f"/api/living-arrangements/{child.living_arrangements.get().pk}/"),
        ("view", f"/api/risk-assessments/{case.risk_assessments.get().pk}/"),
    ]


@pytest.mark.parametrize("role,position", list(_matrix()))
def test_case_pages_answer_by_role_and_position(client, cast, cases, role, position):
    client.force_login(getattr(cast, role))
    case = cases[position]
    for needed, url in _pages(case):
        assert client.get(url).status_code == _expected(role, position, needed), (role, position, url)


@pytest.mark.parametrize("role,position", list(_matrix()))
def test_api_writes_follow_the_same_rules(client, cast, cases, role, position):
    client.force_login(getattr(cast, role))
    case = cases[position]
    response = client.patch(f"/api/cases/{case.reference}/", {"phase": "review", "lock_version": case.lock_version},
                            content_type="application/json")
    expected = _expected(role, position, "edit")
    assert response.status_code == expected, (role, position, response.content)
    case.refresh_from_db()
    assert (case.phase == "review") == (expected == 200)


@pytest.mark.parametrize("role", list(VISIBLE))
def test_case_lists_and_api_lists_show_exactly_the_visible_cases(client, cast, cases, role):
    user = getattr(cast, role)
    client.force_login(user)
    expected = {cases[p].reference for p in VISIBLE[role]}
    page = client.get("/cases/?scope=").content.decode()
    for position, case in cases.items():
        assert (case.reference in page) == (case.reference in expected), (role, position)
    api = client.get("/api/cases/").json()
    assert {row["reference"] for row in api["results"]} == expected


def test_team_members_see_only_their_own_cases_when_team_is_configured_so(client, cast, cases):
    cast.team_a.members_see_team_cases = False
    cast.team_a.save()
    assert set(visible_cases(cast.worker)) == {cases["own"]}
    client.force_login(cast.worker)
    assert client.get(f"/cases/{cases['team'].reference}/").status_code == 404


def test_a_case_shared_individually_becomes_visible_to_that_person(cast, cases):
    case = cases["other_office"]
    assert case not in visible_cases(cast.support_officer)
    share_case(case, cast.support_officer)
    assert case in visible_cases(cast.support_officer)


def test_access_follows_reallocation_immediately(client, cast, cases):
    from cases.services import case_reallocate

    case = cases["own"]
    cast.team_a.members_see_team_cases = False
    cast.team_a.save()
    client.force_login(cast.worker)
    assert client.get(f"/cases/{case.reference}/").status_code == 200
    case_reallocate(user=cast.leader, case=case, caseworker=cast.colleague, reason="Leave cover")
    assert client.get(f"/cases/{case.reference}/").status_code == 404
    client.force_login(cast.colleague)
    assert client.get(f"/cases/{case.reference}/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, cases):
    response = client.get(f"/cases/{cases['own'].reference}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/cases/").status_code in (401, 403)


def test_case_creation_is_for_caseworkers_and_team_leaders_only(client, cast):
    for role, expected in [("worker", 200), ("leader", 200), ("manager", 404), ("administrator", 404),
                           ("support_officer", 404)]:
        client.force_login(getattr(cast, role))
        assert client.get("/cases/new/").status_code == expected, role


def test_nobody_can_open_a_case_in_another_team_through_the_api(client, cast):
    client.force_login(cast.worker)
    response = client.post("/api/cases/", {"team": cast.team_b.pk, "caseworker": cast.worker.pk,
                                           "opened_on": "2026-01-05"}, content_type="application/json")
    assert response.status_code == 400
    assert "own team" in response.json()["detail"]
    # Another team's caseworker answers like one that does not exist (issue 12).
    response = client.post("/api/cases/", {"team": cast.team_a.pk, "caseworker": cast.other_team_worker.pk,
                                           "opened_on": "2026-01-05"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["caseworker"] == [f'Invalid pk "{cast.other_team_worker.pk}" - object does not exist.']
    assert not Case.objects.exists()


def test_a_case_known_visible_while_its_page_renders_is_known_only_for_that_user_and_that_page(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.permissions import Action, can, reading_visible_case
    from tests.conftest import make_family_case

    case = make_family_case(cast.worker)
    assert can(cast.colleague, Action.VIEW, case)  # the team sees its cases
    with reading_visible_case(cast.colleague, case):
        with CaptureQueriesContext(connection) as asked:
            assert can(cast.colleague, Action.VIEW, case)
        assert len(asked) == 0
        assert not can(cast.other_team_worker, Action.VIEW, case)  # anyone else is asked as always
    case.restricted, case.restricted_reason = True, "A relative of staff"  # a write after the page
    case.save()
    assert not can(cast.colleague, Action.VIEW, case)
    assert can(cast.worker, Action.VIEW, case)
