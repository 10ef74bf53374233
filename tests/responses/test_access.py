"""Every responses page and endpoint tried by each member of the cast on each position of
case: invisible → 404, visible but not allowed → 403, as for the case pages."""

import pytest
from django.utils import timezone

from responses import services
from tests.cases.test_access import EDITORS, POSITIONS, VISIBLE
from tests.responses.conftest import new_concern

ROLES = list(VISIBLE)
APPROVERS = {"leader": {"own", "team"}, "other_team_leader": {"other_team"}}


def _expected(role, position, needed):
    if position not in VISIBLE[role]:
        return 404
    if needed == "view":
        return 200
    if needed == "approve":
        return 200 if position in APPROVERS.get(role, set()) else 403
    return 200 if role in EDITORS else 403


@pytest.fixture
def records(cases):
    made = {}
    for position, case in cases.items():
        worker = case.caseworker
        alert = services.record_alert_create(user=worker, case=case, person=None, category="worker_safety",
                                             severity="high", details="Dog", starts_on=timezone.localdate())
        plan = services.safety_plan_submit(user=worker, case=case, developed_on=timezone.localdate(), threats="t",
                                           actions="a", responsible="r")
        recommendation = services.recommendation_make(user=worker, case=case, kind="close", rationale="Safe")
        made[position] = {"alert": alert, "response": new_concern(case, worker), "plan": plan,
                          "recommendation": recommendation}
    return made


def _pages(case, made):
    base = f"/responses/cases/{case.reference}/"
    return [
        ("view", f"/cases/{case.reference}/"),
        ("view", base + "alerts/"),
        ("view", base + "reviews/"),
        ("view", base + f"responses/{made['response'].pk}/"),
        ("view", base + f"safety-plans/{made['plan'].pk}/"),
        ("edit", base + "alerts/new/"),
        ("edit", base + f"alerts/{made['alert'].pk}/end/"),
        ("edit", base + f"alerts/{made['alert'].pk}/review/"),
        ("edit", base + "responses/new/"),
        ("edit", base + f"responses/{made['response'].pk}/steps/assess/"),
        ("edit", base + "safety-assessments/new/"),
        ("edit", base + "safety-plans/new/"),
        ("edit", base + "formal-reviews/new/"),
        ("edit", base + "recommendations/new/"),
        ("edit", base + "close/"),
        ("approve", base + "supervision/new/"),
        ("approve", base + f"safety-plans/{made['plan'].pk}/decide/"),
        ("approve", base + f"recommendations/{made['recommendation'].pk}/decide/"),
        ("view", f"/api/responses/{made['response'].pk}/"),
        ("view", f"/api/record-alerts/{made['alert'].pk}/"),
        ("view", f"/api/safety-plans/{made['plan'].pk}/"),
        ("view", f"/api/recommendations/{made['recommendation'].pk}/"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_by_role_and_position(client, cast, cases, records, role):
    client.force_login(getattr(cast, role))
    for position in POSITIONS:
        for needed, url in _pages(cases[position], records[position]):
            assert client.get(url).status_code == _expected(role, position, needed), (role, position, url)


@pytest.mark.parametrize("role", ROLES)
def test_api_writes_follow_the_same_rules(client, cast, cases, records, role):
    client.force_login(getattr(cast, role))
    for position in POSITIONS:
        made = records[position]
        view = client.post(f"/api/responses/{made['response'].pk}/steps/view/", {}, content_type="application/json")
        assert view.status_code == _expected(role, position, "edit"), (role, position, view.content)
        decide = client.post(f"/api/safety-plans/{made['plan'].pk}/decide/", {"approve": True},
                             content_type="application/json")
        # A team leader of the case may decide; the caseworker who submitted it may not (not theirs to approve).
        expected = _expected(role, position, "approve")
        if expected == 200 and role not in ("leader", "other_team_leader"):
            expected = 403
        assert decide.status_code == expected, (role, position, decide.content)


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_only_visible_cases(client, cast, cases, records, role):
    client.force_login(getattr(cast, role))
    for url in ("/api/responses/", "/api/record-alerts/", "/api/safety-plans/", "/api/recommendations/"):
        answer = client.get(url)
        assert answer.status_code == 200
        rows = answer.json()["results"] if isinstance(answer.json(), dict) else answer.json()
        assert len(rows) == len(VISIBLE[role]), (role, url)


@pytest.mark.parametrize("role, expected", [("leader", 200), ("manager", 200), ("worker", 403),
                                            ("administrator", 403)])
def test_the_due_page_is_for_team_leaders_and_managers(client, cast, cases, role, expected):
    client.force_login(getattr(cast, role))
    assert client.get("/responses/due/").status_code == expected
