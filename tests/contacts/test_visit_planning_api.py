"""The planned-visits API: list, create, reschedule, cancel — access by the fixed cast and
bad input (a clear message, nothing saved), every answer checked against the OpenAPI schema by tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts import visits
from contacts.models import ScheduledVisit
from tests.cases.test_access import VISIBLE
from tests.conftest import make_family_case

EDITORS_OF_OWN = {"worker", "colleague", "support_officer", "leader"}


def _day(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _body(of, **more):
    return {"case": of.reference, "scheduled_for": _day(3), "scheduled_time": "10:30",
            "members": [of.children[0].pk], "place": "home", "purpose": "Check on the children", **more}


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_worker_plans_lists_moves_and_cancels_a_visit(client, cast):
    case = make_family_case(cast.worker)
    client.force_login(cast.worker)
    created = _post(client, "/api/planned-visits/", _body(case))
    assert created.status_code == 201, created.content
    visit_id = created.json()["id"]
    assert created.json()["members"] == [case.children[0].pk] and created.json()["state"] == "planned"
    listed = client.get("/api/planned-visits/", {"case__reference": case.reference})
    assert listed.status_code == 200 and [v["id"] for v in listed.json()["results"]] == [visit_id]
    moved = _post(client, f"/api/planned-visits/{visit_id}/reschedule/",
                  {"scheduled_for": _day(5), "scheduled_time": None, "reason": "School event"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["scheduled_for"] == _day(5) and moved.json()["changes"][0]["reason"] == "School event"
    cancelled = _post(client, f"/api/planned-visits/{visit_id}/cancel/", {"reason": "Family moved away"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_a_passed_planned_visit_reads_missed_in_the_api(client, cast):
    case = make_family_case(cast.worker)
    visit = visits.visit_plan(user=cast.worker, case=case, day=timezone.localdate(), time=None,
                              members=[case.children[0]], place="home")
    ScheduledVisit.objects.filter(pk=visit.pk).update(scheduled_for=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(cast.worker)
    assert client.get(f"/api/planned-visits/{visit.pk}/").json()["state"] == "missed"


@pytest.mark.parametrize("change, field", [
    ({"scheduled_for": "2001-01-01"}, "detail"),
    ({"scheduled_for": "not a date"}, "scheduled_for"),
    ({"members": []}, "detail"),
    ({"members": [987654321]}, "members"),
    ({"place": "moon"}, "place"),
    ({"place": "other", "place_details": ""}, "detail"),
    ({"scheduled_time": "25:61"}, "scheduled_time"),
    ({"case": "ZZZ-1999-999999"}, "case"),
])
def test_a_bad_plan_answers_400_naming_the_problem_and_saves_nothing(client, cast, change, field):
    case = make_family_case(cast.worker)
    client.force_login(cast.worker)
    answer = _post(client, "/api/planned-visits/", _body(case, **change))
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()
    assert not ScheduledVisit.objects.exists()


def test_a_member_of_a_case_one_may_not_see_is_refused_as_a_missing_one(client, cast, cases):
    client.force_login(cast.worker)
    foreign = _post(client, "/api/planned-visits/", _body(cases["own"], members=[cases["other_team"].children[0].pk]))
    missing = _post(client, "/api/planned-visits/", _body(cases["own"], members=[987654321]))
    assert foreign.status_code == missing.status_code == 400
    assert (str(foreign.json()["members"]).replace(str(cases["other_team"].children[0].pk), "<id>")
            == str(missing.json()["members"]).replace("987654321", "<id>"))
    assert not ScheduledVisit.objects.exists()


@pytest.mark.parametrize("action, body, message", [
    ("reschedule", {"scheduled_for": "2026-99-01", "reason": "x"}, "scheduled_for"),
    ("reschedule", {"scheduled_for": "2001-01-01", "reason": "Moved"}, "detail"),
    ("reschedule", {"scheduled_for": None, "reason": ""}, "reason"),
    ("cancel", {}, "reason"),
    ("cancel", {"reason": "   "}, "reason"),
])
def test_a_bad_move_or_cancel_answers_400_and_changes_nothing(client, cast, action, body, message):
    case = make_family_case(cast.worker)
    visit = visits.visit_plan(user=cast.worker, case=case, day=timezone.localdate() + dt.timedelta(days=3),
                              time=None, members=[case.children[0]], place="home")
    client.force_login(cast.worker)
    answer = _post(client, f"/api/planned-visits/{visit.pk}/{action}/", body)
    assert answer.status_code == 400 and message in answer.json(), answer.content
    visit.refresh_from_db()
    assert visit.status == "planned" and not visit.changes


@pytest.mark.parametrize("role", list(VISIBLE))
def test_the_cast_sees_lists_and_writes_visits_as_the_access_rules_say(client, cast, cases, role):
    case = cases["own"]
    visit = visits.visit_plan(user=cast.worker, case=case, day=timezone.localdate() + dt.timedelta(days=3),
                              time=None, members=[case.children[0]], place="home")
    user = getattr(cast, role)
    client.force_login(user)
    sees, edits = "own" in VISIBLE[role], "own" in VISIBLE[role] and role in EDITORS_OF_OWN
    listed = [v["id"] for v in client.get("/api/planned-visits/").json()["results"]]
    assert (visit.pk in listed) == sees
    created = _post(client, "/api/planned-visits/", _body(case))
    # An unseen case's reference does not exist for them (400 on the field); a visible one they may not edit: 403.
    assert created.status_code == (201 if edits else 403 if sees else 400), (role, created.content)
    for action, body in (("reschedule", {"scheduled_for": _day(6), "reason": "Moved"}),
                         ("cancel", {"reason": "Not needed"})):
        answer = _post(client, f"/api/planned-visits/{visit.pk}/{action}/", body)
        assert answer.status_code == (200 if edits else 403 if sees else 404), (role, action, answer.status_code)
    assert client.get(f"/api/planned-visits/{visit.pk}/").status_code == (200 if sees else 404)
