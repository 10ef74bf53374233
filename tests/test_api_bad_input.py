"""Bad input the issue found answering 500: each now answers 4xx with the reason, nothing saved."""

import pytest

from caseplans.models import PlanAction
from responses.models import RecordAlert
from tests.caseplans.conftest import draft_plan
from tests.conftest import make_family_case


@pytest.fixture
def api(client, cast):
    client.force_login(cast.worker)
    return client


def test_a_record_alert_without_a_person_or_case_says_what_is_missing(api, cast):
    case = make_family_case(cast.worker)
    response = api.post("/api/record-alerts/", {"case": case.reference, "category": "medical", "severity": "medium",
                                                "details": "Needs insulin"}, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert not RecordAlert.objects.exists()


def test_a_record_alert_without_a_person_is_an_alert_on_the_case(api, cast):
    case = make_family_case(cast.worker)
    response = api.post("/api/record-alerts/", {"case": case.reference, "category": "medical", "severity": "medium",
                                                "details": "Needs insulin", "starts_on": "2026-01-05"},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    assert RecordAlert.objects.get().case == case and response.json()["on_case"] == case.reference


def test_completing_an_action_without_a_date_says_so(api, cast):
    case = make_family_case(cast.worker)
    plan = draft_plan(case, cast.worker, actions=1)
    action = PlanAction.objects.get(plan=plan)
    response = api.post(f"/api/plan-actions/{action.pk}/complete/", {}, content_type="application/json")
    assert response.status_code == 400, response.content
    action.refresh_from_db()
    assert action.completed_on is None


def test_progress_on_an_action_without_a_date_is_recorded_without_ticking_it_off(api, cast):
    case = make_family_case(cast.worker)
    plan = draft_plan(case, cast.worker, actions=1)
    action = PlanAction.objects.get(plan=plan)
    response = api.post(f"/api/plan-actions/{action.pk}/complete/", {"lock_version": action.lock_version,
                                                                     "progress_note": "First session held"},
                        content_type="application/json")
    assert response.status_code == 200, response.content
    action.refresh_from_db()
    assert action.completed_on is None and action.progress_note == "First session held"


@pytest.mark.parametrize("url", ["/api/case-plans/null,null/endorse/", "/api/case-plans/abc/", "/api/case-plans/1,x/"])
def test_a_malformed_plan_id_answers_404_not_500(api, url):
    response = api.post(url, {}, content_type="application/json") if url.endswith("endorse/") else api.get(url)
    assert response.status_code == 404, response.content


def test_changing_a_member_without_its_lock_version_says_so(api, cast):
    case = make_family_case(cast.worker)
    member = case.children[0]
    response = api.patch(f"/api/members/{member.pk}/", {"relationship": "daughter"}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "lock_version" in response.json()
    member.refresh_from_db()
    assert member.relationship != "daughter"
