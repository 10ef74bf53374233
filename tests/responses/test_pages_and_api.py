"""Pages and API: bad input keeps what was typed and saves nothing; the case page shows
alerts prominently; lists run a fixed number of queries; closing asks for confirmation."""

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from responses import selectors, services
from responses.models import RecordAlert, Response, SafetyAssessment
from tests.conftest import make_family_case
from tests.responses.conftest import new_concern


def test_bad_alert_input_keeps_the_typed_text_and_saves_nothing(client, cast, family):
    client.force_login(cast.worker)
    page = client.post(f"/responses/cases/{family.reference}/alerts/new/", {
        "category": "worker_safety", "severity": "high", "details": "Dog on the property",
        "starts_on": "2025-05-10", "review_on": "2025-05-01"})
    assert page.status_code == 400
    assert b"review date cannot be before" in page.content and b"Dog on the property" in page.content
    assert not RecordAlert.objects.exists()


def test_an_alert_on_a_person_shows_at_the_top_of_the_case_page(client, cast, family):
    client.force_login(cast.worker)
    answer = client.post(f"/responses/cases/{family.reference}/alerts/new/", {
        "about": family.parents[0].person.pk, "category": "court_order", "severity": "high",
        "details": "Domestic violence order: father not to attend", "starts_on": timezone.localdate().isoformat()})
    assert answer.status_code == 302
    page = client.get(f"/cases/{family.reference}/").content.decode()
    assert "Domestic violence order" in page and 'class="record-alerts"' in page


def test_the_banner_template_is_reusable(cast, family):
    services.record_alert_create(user=cast.worker, case=family, person=None, category="medical", severity="low",
                                 details="Epipen in the car", starts_on=timezone.localdate())
    alerts = selectors.active_record_alerts([family.pk])[family.pk]
    html = render_to_string("responses/_record_alert_banner.html", {"record_alerts": alerts})
    assert "Epipen in the car" in html and "Whole case" in html


def test_a_safety_assessment_without_threats_is_refused_with_the_input_kept(client, cast, family):
    response = new_concern(family, cast.worker)
    services.response_step_complete(user=cast.worker, response=response, code="view")
    client.force_login(cast.worker)
    page = client.post(f"/responses/cases/{family.reference}/safety-assessments/new/?response={response.pk}",
                       {"completed_on": timezone.localdate().isoformat(), "decision": "unsafe", "threats": ""})
    assert page.status_code == 400 and "Name the safety threats" in page.content.decode()
    assert not SafetyAssessment.objects.exists()


def test_a_step_without_a_note_is_refused(client, cast, family):
    response = new_concern(family, cast.worker)
    client.force_login(cast.worker)
    client.post(f"/responses/cases/{family.reference}/responses/{response.pk}/steps/view/")
    page = client.post(f"/responses/cases/{family.reference}/responses/{response.pk}/steps/assess/", {"note": ""})
    assert page.status_code == 400 and "Record what was done" in page.content.decode()
    assert response.steps.get(code="view").done_by == cast.worker
    assert response.steps.get(code="assess").done_at is None


def test_the_close_page_asks_for_confirmation(client, cast, family):
    recommendation = services.recommendation_make(user=cast.worker, case=family, kind="close", rationale="Safe")
    services.recommendation_decide(user=cast.leader, recommendation=recommendation, endorse=True)
    client.force_login(cast.worker)
    page = client.get(f"/responses/cases/{family.reference}/close/")
    assert "will cancel" in page.content.decode()
    refused = client.post(f"/responses/cases/{family.reference}/close/", {"closed_on": timezone.localdate()})
    assert refused.status_code == 400 and "Confirm" in refused.content.decode()
    family.refresh_from_db()
    assert family.closed_on is None
    done = client.post(f"/responses/cases/{family.reference}/close/", {"closed_on": timezone.localdate(),
                                                                        "confirmed": "on"})
    assert done.status_code == 302
    family.refresh_from_db()
    assert family.closed_on == timezone.localdate()
    assert client.get(f"/responses/cases/{family.reference}/alerts/new/").status_code == 403


def test_api_creates_a_response_and_ticks_steps_with_reasons_for_refusal(client, cast, family):
    client.force_login(cast.worker)
    created = client.post("/api/responses/", {"case": family.reference, "kind": "new_concern",
                                              "summary": "Neighbour reports shouting"}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = client.post(f"/api/responses/{pk}/steps/assess/", {"note": "x"}, content_type="application/json")
    assert refused.status_code == 400 and "View the information" in refused.json()["detail"]
    done = client.post(f"/api/responses/{pk}/steps/view/", {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["steps"][0]["done_by"]
    assessment = client.post("/api/safety-assessments/", {"case": family.reference, "response": pk,
                                                          "completed_on": timezone.localdate().isoformat(),
                                                          "decision": "safe"}, content_type="application/json")
    assert assessment.status_code == 201, assessment.content
    assert Response.objects.get(pk=pk).steps.get(code="safety_assessment").done_at is not None


def test_api_refuses_an_invisible_case(client, cast, cases):
    client.force_login(cast.worker)
    answer = client.post("/api/responses/", {"case": cases["other_team"].reference, "kind": "new_concern",
                                             "summary": "x"}, content_type="application/json")
    assert answer.status_code == 400 and not Response.objects.exists()


def test_api_endorsement_and_closure(client, cast, family):
    client.force_login(cast.worker)
    made = client.post("/api/recommendations/", {"case": family.reference, "kind": "close", "rationale": "Safe"},
                       content_type="application/json")
    pk = made.json()["id"]
    assert client.post(f"/api/recommendations/{pk}/close/", {"confirmed": True},
                       content_type="application/json").status_code == 400
    client.force_login(cast.leader)
    assert client.post(f"/api/recommendations/{pk}/decide/", {"approve": True},
                       content_type="application/json").status_code == 200
    client.force_login(cast.worker)
    closed = client.post(f"/api/recommendations/{pk}/close/", {"confirmed": True}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "actioned"
    assert "visits_cancelled" in closed.json()


def _page_queries(client, user, url, django_assert_max_num_queries):
    client.force_login(user)
    client.get(url)
    with django_assert_max_num_queries(200) as first:
        client.get(url)
    return len(first.captured_queries)


def test_lists_and_pages_run_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    def grow():
        case = make_family_case(cast.worker)
        new_concern(case, cast.worker)
        services.record_alert_create(user=cast.worker, case=case, person=case.parents[0].person, category="other",
                                     severity="low", details="x", starts_on=timezone.localdate())
        return case

    case = grow()
    urls = ["/responses/due/", "/api/responses/", "/api/record-alerts/", f"/cases/{case.reference}/"]
    before = {url: _page_queries(client, cast.leader, url, django_assert_max_num_queries) for url in urls}
    for _ in range(4):
        grow()
    for url in urls:
        with django_assert_max_num_queries(before[url]):
            client.get(url)


def test_the_due_page_shows_overdue_supervision(client, cast):
    case = make_family_case(cast.worker, opened_on=timezone.localdate() - dt.timedelta(days=100))
    client.force_login(cast.leader)
    page = client.get("/responses/due/").content.decode()
    assert case.reference in page and "(overdue)" in page
