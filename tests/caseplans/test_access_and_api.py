"""Every page and endpoint tried by each member of the cast: invisible → 404, visible but
not allowed → 403; endorse/return only for the case's team leader."""

import pytest
from django.utils import timezone

from caseplans import services as plan_services
from caseplans.models import CasePlan
from tests.caseplans.conftest import draft_plan, endorsed_plan
from tests.conftest import make_family_case

CAST = ["worker", "colleague", "other_team_worker", "leader", "other_team_leader", "manager",
        "other_office_manager", "support_officer", "administrator"]
# Team A's cases are visible to its members (the team sees its cases), its leader and office 1's manager.
READ = {"worker": 200, "colleague": 200, "other_team_worker": 404, "leader": 200, "other_team_leader": 404,
        "manager": 200, "other_office_manager": 404, "support_officer": 200, "administrator": 404}
WRITE = {**READ, "manager": 403}
DECIDE = {who: 404 if code == 404 else 403 for who, code in READ.items()} | {"leader": 200}


@pytest.fixture
def submitted(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    return plan


@pytest.mark.parametrize("who", CAST)
def test_page_access(signed_in, cast, family, submitted, who):
    client = signed_in(getattr(cast, who))
    base = f"/plans/cases/{family.reference}/v1/"
    action = submitted.actions.first()
    goal = submitted.goals.first()
    assert client.get(base).status_code == READ[who]
    assert client.get(base + "pdf/").status_code == READ[who]
    assert client.get(base + "edit/").status_code in ({WRITE[who]} if WRITE[who] != 200 else {302})
    assert client.get(base + f"actions/{action.pk}/progress/").status_code == WRITE[who]
    assert client.get(base + f"goals/{goal.pk}/progress/").status_code == WRITE[who]
    assert client.get(base + "return/").status_code == DECIDE[who]
    assert client.get(base + "endorse/").status_code == DECIDE[who]
    assert client.get(f"/plans/cases/{family.reference}/new/").status_code == WRITE[who]
    assert client.get(f"/plans/cases/{family.reference}/v9/").status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("who", CAST)
def test_draft_form_pages_and_submit_access(signed_in, cast, family, who):
    plan = draft_plan(family, cast.worker)
    client = signed_in(getattr(cast, who))
    base = f"/plans/cases/{family.reference}/v1/"
    concern, goal, action = plan.concerns.get(), plan.goals.get(), plan.actions.first()
    for suffix in ("edit/", "concerns/new/", f"concerns/{concern.pk}/", "goals/new/", f"goals/{goal.pk}/",
                   "actions/new/", f"actions/{action.pk}/", f"actions/{action.pk}/withdraw/"):
        assert client.get(base + suffix).status_code == WRITE[who], suffix
    assert client.post(base + "concerns/new/", {"text": "A new worry"}).status_code == (
        302 if WRITE[who] == 200 else WRITE[who])
    assert plan.concerns.count() == (2 if WRITE[who] == 200 else 1)
    response = client.post(base + f"actions/{action.pk}/withdraw/", {"lock_version": 1, "reason": "Not needed"})
    assert response.status_code == (302 if WRITE[who] == 200 else WRITE[who])
    response = client.post(base + f"actions/{action.pk}/reinstate/", {"lock_version": 2})
    assert response.status_code == (302 if WRITE[who] == 200 else WRITE[who])
    action.refresh_from_db()
    assert action.withdrawn_on is None and action.lock_version == (3 if WRITE[who] == 200 else 1)
    assert client.post(base + "submit/").status_code == (302 if WRITE[who] == 200 else WRITE[who])
    plan.refresh_from_db()
    assert plan.status == ("submitted" if WRITE[who] == 200 else "draft")


@pytest.mark.parametrize("who", CAST)
def test_endorsed_plan_copy_and_review_access(signed_in, cast, family, who):
    endorsed_plan(family, cast.worker, cast.leader)
    client = signed_in(getattr(cast, who))
    base = f"/plans/cases/{family.reference}/v1/"
    assert client.get(base + "copy/").status_code == WRITE[who]
    assert client.post(base + "review/").status_code == (302 if WRITE[who] == 200 else WRITE[who])
    assert CasePlan.objects.filter(case=family).count() == (2 if WRITE[who] == 200 else 1)


@pytest.mark.parametrize("who", CAST)
def test_leader_dashboard_access(signed_in, cast, who):
    expected = 200 if who in ("leader", "other_team_leader") else 403
    assert signed_in(getattr(cast, who)).get("/plans/due/").status_code == expected


@pytest.mark.parametrize("who", CAST)
def test_api_access(cast, family, submitted, who, client):
    client.force_login(getattr(cast, who))
    listed = client.get("/api/case-plans/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert (len(rows) == 1) == (READ[who] == 200)
    assert client.get(f"/api/case-plans/{submitted.pk}/").status_code == READ[who]
    assert client.get(f"/api/case-plans/{submitted.pk}/versions/").status_code == READ[who]
    assert client.get(f"/api/plan-actions/?plan={submitted.pk}").status_code == 200
    response = client.post(f"/api/case-plans/{submitted.pk}/return/", {"comment": "x"},
                           content_type="application/json")
    expected = {200: 200, 404: 404, 403: 403}[DECIDE[who]]
    assert response.status_code == expected
    if expected == 200:
        assert CasePlan.objects.get(pk=submitted.pk).status == "returned"


def test_api_endorse_by_leader_and_refused_for_author(cast, family, client):
    plan = draft_plan(family, cast.leader)
    plan_services.plan_submit(user=cast.leader, plan=plan)
    client.force_login(cast.leader)
    response = client.post(f"/api/case-plans/{plan.pk}/endorse/", {}, content_type="application/json")
    assert response.status_code == 400 and "another team leader" in response.json()["detail"]
    client.force_login(cast.worker)
    response = client.post(f"/api/case-plans/{plan.pk}/endorse/", {}, content_type="application/json")
    assert response.status_code == 403
    assert CasePlan.objects.get(pk=plan.pk).status == "submitted"


def test_api_create_update_with_lock_and_pdf(cast, family, client):
    client.force_login(cast.worker)
    response = client.post("/api/case-plans/", {"case": family.reference, "caseworker": cast.worker.pk,
                                                "visit_frequency": "Weekly"}, content_type="application/json")
    assert response.status_code == 201, response.content
    plan_id, lock = response.json()["id"], response.json()["lock_version"]
    response = client.patch(f"/api/case-plans/{plan_id}/", {"visit_frequency": "Fortnightly"},
                            content_type="application/json")
    assert response.status_code == 400 and "lock_version" in response.json()
    assert client.patch(f"/api/case-plans/{plan_id}/", {"visit_frequency": "Fortnightly", "lock_version": lock},
                        content_type="application/json").status_code == 200
    response = client.patch(f"/api/case-plans/{plan_id}/", {"visit_frequency": "Monthly", "lock_version": lock},
                            content_type="application/json")
    assert response.status_code == 409 and "after you opened it" in response.json()["detail"]
    assert CasePlan.objects.get(pk=plan_id).visit_frequency == "Fortnightly"
    response = client.post("/api/plan-actions/", {"plan": plan_id, "what": "Mother will try to attend as needed"},
                           content_type="application/json")
    assert response.status_code == 201
    assert any("Vague wording" in w for w in response.json()["smart_warnings"])
    pdf = client.get(f"/api/case-plans/{plan_id}/pdf/?copy=family")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_api_action_complete_on_endorsed_plan(cast, family, client):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    action = plan.actions.first()
    client.force_login(cast.worker)
    response = client.post(f"/api/plan-actions/{action.pk}/complete/", {
        "lock_version": action.lock_version, "completed_on": timezone.localdate().isoformat(),
        "progress_note": "Done"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["completed_on"]
    response = client.patch(f"/api/plan-actions/{action.pk}/", {"what": "Changed", "lock_version": 99},
                            content_type="application/json")
    assert response.status_code == 400 and "endorsed" in response.json()["detail"]


def test_api_list_query_count(cast, family, client, django_assert_max_num_queries):
    endorsed_plan(family, cast.worker, cast.leader, actions=10)
    client.force_login(cast.leader)
    with django_assert_max_num_queries(16):
        assert client.get("/api/case-plans/").status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get("/api/plan-actions/")
    assert response.status_code == 200 and response.json()["count"] == 10


def test_api_bad_input_is_refused_with_a_reason_and_nothing_changes(cast, family, client):
    import datetime as dt

    plan = draft_plan(family, cast.worker)
    client.force_login(cast.worker)
    response = client.post(f"/api/case-plans/{plan.pk}/copy-provided/", {"provided_on": "2020-01-01", "how": "Post"},
                           content_type="application/json")
    assert response.status_code == 400 and "endorsed" in response.json()["detail"]
    response = client.post("/api/plan-actions/", {"plan": plan.pk, "what": "Attend", "due_on": "31/02/2025"},
                           content_type="application/json")
    assert response.status_code == 400 and "due_on" in response.json()
    assert plan.actions.count() == 3

    plan_services.plan_submit(user=cast.worker, plan=plan)
    client.force_login(cast.leader)
    response = client.post(f"/api/case-plans/{plan.pk}/return/", {"comment": "  "}, content_type="application/json")
    assert response.status_code == 400 and "needs a comment" in response.json()["detail"]
    assert client.post(f"/api/case-plans/{plan.pk}/endorse/", {}, content_type="application/json").status_code == 200
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    client.force_login(cast.worker)
    response = client.post(f"/api/case-plans/{plan.pk}/copy-provided/", {"provided_on": tomorrow, "how": "Post"},
                           content_type="application/json")
    assert response.status_code == 400 and "future" in response.json()["detail"]
    plan.refresh_from_db()
    assert plan.status == "endorsed" and plan.copy_provided_on is None
    response = client.post(f"/api/case-plans/{plan.pk}/endorse/", {}, content_type="application/json")
    assert response.status_code == 403


def test_api_withdraws_an_action_from_a_draft_with_a_reason(cast, family, client):
    plan = draft_plan(family, cast.worker)
    action = plan.actions.first()
    client.force_login(cast.worker)
    url = f"/api/plan-actions/{action.pk}/withdraw/"
    response = client.post(url, {"lock_version": action.lock_version}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(url, {"lock_version": action.lock_version, "reason": "Duplicate of action 2"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["withdrawn_reason"] == "Duplicate of action 2"
    client.force_login(cast.manager)
    response = client.post(url, {"lock_version": 2, "reason": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_api_client_can_write_a_whole_plan_and_submit_it(cast, family, client):
    import datetime as dt

    client.force_login(cast.worker)
    child_a, child_b = family.children
    review = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    response = client.post("/api/case-plans/", {
        "case": family.reference, "caseworker": cast.worker.pk, "review_date": review,
        "objectives": {str(child_a.pk): "remain_home", str(child_b.pk): "remain_home"}},
        content_type="application/json")
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    assert len(response.json()["child_objectives"]) == 2
    base = f"/api/case-plans/{plan_id}/"
    response = client.post(base + "concerns/", {"concern": "Violence at home", "strengths": "Nan helps"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["concern"] == "Violence at home"
    assert client.post(base + "goals/", {"text": ""}, content_type="application/json").status_code == 400
    assert client.post(base + "goals/", {"text": "Safe at home"}, content_type="application/json").status_code == 201
    assert client.post("/api/plan-actions/", {"plan": plan_id, "what": "Mum meets the safety worker every week",
                                              "responsible_name": "Mum", "due_on": review,
                                              "measure": "Worker confirms"},
                       content_type="application/json").status_code == 201
    response = client.patch(base, {"objectives": {"999999": "remain_home"}, "lock_version": 1},
                            content_type="application/json")
    assert response.status_code == 400 and "only for a child of this case" in response.json()["detail"]
    response = client.post(base + "submit/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    client.force_login(cast.manager)
    assert client.post(base + "goals/", {"text": "x"}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("who", CAST)
def test_api_changes_a_concern_and_a_goal_of_a_draft_for_those_who_may_edit(client, cast, family, who):
    plan = draft_plan(family, cast.worker)
    concern, goal = plan.concerns.get(), plan.goals.get()
    client.force_login(getattr(cast, who))
    changed = client.patch(f"/api/case-plans/{plan.pk}/concerns/{concern.pk}/",
                           {"concern": "Dad's drinking at weekends", "lock_version": concern.lock_version},
                           content_type="application/json")
    assert changed.status_code == WRITE[who]
    changed_goal = client.patch(f"/api/case-plans/{plan.pk}/goals/{goal.pk}/",
                                {"text": "Weekends are safe and sober", "lock_version": goal.lock_version},
                                content_type="application/json")
    assert changed_goal.status_code == WRITE[who]
    concern.refresh_from_db()
    goal.refresh_from_db()
    assert (concern.concern == "Dad's drinking at weekends") == (WRITE[who] == 200)
    assert (goal.text == "Weekends are safe and sober") == (WRITE[who] == 200)
    if WRITE[who] == 200:
        assert changed.json()["lock_version"] == concern.lock_version and concern.strengths  # the rest kept


def test_api_concern_and_goal_changes_refuse_bad_input_and_stale_versions(client, cast, family):
    plan = draft_plan(family, cast.worker)
    concern, goal = plan.concerns.get(), plan.goals.get()
    url = f"/api/case-plans/{plan.pk}/concerns/{concern.pk}/"
    client.force_login(cast.worker)
    missing = client.patch(url, {"concern": "New text"}, content_type="application/json")
    assert missing.status_code == 400 and "lock_version" in missing.json()
    empty = client.patch(url, {"concern": "  ", "lock_version": concern.lock_version}, content_type="application/json")
    assert empty.status_code == 400 and empty.json() == {"concern": ["This field may not be blank."]}
    bad_status = client.patch(f"/api/case-plans/{plan.pk}/goals/{goal.pk}/",
                              {"status": "finished-ish", "lock_version": goal.lock_version},
                              content_type="application/json")
    assert bad_status.status_code == 400 and "status" in bad_status.json()
    assert client.patch(url, {"concern": "First", "lock_version": concern.lock_version},
                        content_type="application/json").status_code == 200
    stale = client.patch(url, {"concern": "Second", "lock_version": concern.lock_version},
                         content_type="application/json")
    assert stale.status_code == 409 and "after you opened it" in stale.json()["detail"]
    other_plan_goal = draft_plan(make_family_case(cast.worker), cast.worker).goals.get()
    assert client.patch(f"/api/case-plans/{plan.pk}/goals/{other_plan_goal.pk}/",
                        {"text": "x", "lock_version": other_plan_goal.lock_version},
                        content_type="application/json").status_code == 404
    concern.refresh_from_db()
    assert concern.concern == "First"

    plan_services.plan_submit(user=cast.worker, plan=plan)
    concern.refresh_from_db()
    after_submit = client.patch(url, {"concern": "Too late", "lock_version": concern.lock_version},
                                content_type="application/json")
    assert after_submit.status_code == 400
    concern.refresh_from_db()
    assert concern.concern == "First"


def test_api_a_lock_version_that_is_not_a_number_is_refused_not_an_error(client, cast, family):
    plan = draft_plan(family, cast.worker)
    action = plan.actions.first()
    client.force_login(cast.worker)
    for url, body in ((f"/api/plan-actions/{action.pk}/", {"what": "Changed"}),
                      (f"/api/case-plans/{plan.pk}/", {"review_date": "2030-01-01"}),
                      (f"/api/case-plans/{plan.pk}/goals/{plan.goals.get().pk}/", {"text": "Changed"})):
        for lock_version in ("abc", None, True):
            response = client.patch(url, {**body, "lock_version": lock_version}, content_type="application/json")
            assert response.status_code == 400 and "lock_version" in response.json(), (url, lock_version)
    action.refresh_from_db()
    assert action.what != "Changed" and plan.goals.get().text != "Changed"
