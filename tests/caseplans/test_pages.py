"""Pages of case plans: behaviour, bad input, optimistic locking in the form, query counts."""

import datetime as dt

from django.utils import timezone

from caseplans import services as plan_services
from caseplans.models import CasePlan, PlanAction
from casework.dates import day_label
from tests.caseplans.conftest import draft_plan, endorsed_plan


def _url(plan, suffix=""):
    return f"/plans/cases/{plan.case.reference}/v{plan.version}/{suffix}"


def test_caseworker_starts_a_plan_from_the_case_page(signed_in, cast, family):
    client = signed_in(cast.worker)
    page = client.get(f"/cases/{family.reference}/")
    assert "Start the case plan" in page.content.decode()
    assert "First plan endorsed and copy provided" in page.content.decode()
    child = family.children[0]
    response = client.post(f"/plans/cases/{family.reference}/new/", {
        "caseworker": cast.worker.pk, "how_made": "family_led", "visit_frequency": "Fortnightly home visit",
        f"objective_{child.pk}": "remain_home"})
    plan = CasePlan.objects.get(case=family)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.child_objectives.get().objective == "remain_home"
    assert "Version 1" in client.get(f"/cases/{family.reference}/").content.decode()


def test_plan_page_warns_objective_inconsistent_with_legal_status(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    child = family.children[0]
    plan_services.plan_update(user=cast.worker, plan=plan, lock_version=plan.lock_version,
                              objectives={child.pk: "long_term_care"})
    html = signed_in(cast.worker).get(_url(plan)).content.decode()
    assert "does not fit the child" in html


def test_plan_form_shows_legal_status_and_warns_on_saving_an_objective_that_does_not_fit(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    client = signed_in(cast.worker)
    form = client.get(_url(plan, "edit/")).content.decode()
    assert "Legal status now: Intervention with parental agreement. It fits: Remain at home." in form
    first, second = family.children
    response = client.post(_url(plan, "edit/"), {
        "caseworker": cast.worker.pk, "lock_version": plan.lock_version,
        f"objective_{first.pk}": "long_term_care", f"objective_{second.pk}": "remain_home"}, follow=True)
    html = response.content.decode()
    assert "Plan saved." in html and "Child0: “Long-term care” does not fit" in html
    assert "Child1: " not in html
    assert plan.child_objectives.get(member=first).objective == "long_term_care"  # a warning, not a refusal


def test_plan_page_shows_smart_warnings_and_progress(signed_in, cast, family):
    plan = draft_plan(family, cast.worker, actions=1)
    plan_services.action_add(user=cast.worker, plan=plan, what="Mother will try to attend as needed")
    html = signed_in(cast.worker).get(_url(plan)).content.decode()
    assert "Vague wording" in html and "No due date." in html and "No one is named as responsible." in html
    assert "0 of 2 actions complete" in html


def test_bad_action_input_keeps_typed_text_and_saves_nothing(signed_in, cast, family):
    plan = draft_plan(family, cast.worker, actions=0)
    response = signed_in(cast.worker).post(_url(plan, "actions/new/"), {
        "what": "", "responsible_name": "Ms Jones", "due_on": "not-a-date", "measure": "Counsellor confirms"})
    html = response.content.decode()
    assert response.status_code == 200 and "This field is required" in html
    assert "Ms Jones" in html and "Counsellor confirms" in html
    assert PlanAction.objects.count() == 0


def test_past_review_date_refused_with_message(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    response = signed_in(cast.worker).post(_url(plan, "edit/"), {
        "caseworker": cast.worker.pk, "review_date": "2001-01-01", "visit_frequency": "Weekly typed",
        "lock_version": plan.lock_version})
    assert "The review date must be in the future." in response.content.decode()
    assert "Weekly typed" in response.content.decode()
    plan.refresh_from_db()
    assert plan.visit_frequency == "Home visit every fortnight"


def test_review_date_more_than_twelve_months_away_refused(signed_in, cast, family, settings):
    from caseplans.rules import add_months

    settings.CASEPLAN_REVIEW_MONTHS = 6  # an agency that reviews every 6 months
    plan = draft_plan(family, cast.worker)
    latest = add_months(timezone.localdate(), 6)
    response = signed_in(cast.worker).post(_url(plan, "edit/"), {
        "caseworker": cast.worker.pk, "review_date": (latest + dt.timedelta(days=1)).isoformat(),
        "lock_version": plan.lock_version})
    assert f"at least every 6 months: choose a date no later than {day_label(latest)}" in response.content.decode()
    response = signed_in(cast.worker).post(_url(plan, "edit/"), {
        "caseworker": cast.worker.pk, "review_date": latest.isoformat(), "lock_version": plan.lock_version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.review_date == latest


def test_stale_form_save_refused_with_clear_message_and_typed_input_kept(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    stale = plan.lock_version
    plan_services.plan_update(user=cast.leader, plan=plan, lock_version=stale, participants="Leader's change")
    response = signed_in(cast.worker).post(_url(plan, "edit/"), {
        "caseworker": cast.worker.pk, "participants": "Worker's typed text", "lock_version": stale})
    html = response.content.decode()
    assert response.status_code == 200 and "saved this plan after you opened it" in html
    assert "Worker&#x27;s typed text" in html or "Worker's typed text" in html
    plan.refresh_from_db()
    assert plan.participants == "Leader's change"


def test_leader_returns_with_comment_and_caseworker_sees_it(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    worker = signed_in(cast.worker)
    assert worker.post(_url(plan, "submit/")).status_code == 302
    client = signed_in(cast.leader)
    assert "Return with comments" in client.get(_url(plan)).content.decode()
    response = client.post(_url(plan, "return/"), {"comment": ""})
    assert "This field is required" in response.content.decode()
    client.post(_url(plan, "return/"), {"comment": "Action 2 needs a measure"})
    plan.refresh_from_db()
    assert plan.status == "returned"
    html = signed_in(cast.worker).get(_url(plan)).content.decode()
    assert "Action 2 needs a measure" in html


def test_endorsed_plan_edit_page_redirects_with_reason(signed_in, cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    client = signed_in(cast.worker)
    response = client.get(_url(plan, "edit/"), follow=True)
    assert "endorsed and cannot be changed" in response.content.decode()
    action = plan.actions.first()
    client.post(_url(plan, f"actions/{action.pk}/"), {"what": "Changed", "lock_version": action.lock_version})
    action.refresh_from_db()
    assert action.what.startswith("Mother attends")


def test_review_from_the_page_makes_version_two(signed_in, cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    response = signed_in(cast.worker).post(_url(plan, "review/"))
    assert response.status_code == 302 and response["Location"].endswith("/v2/")
    assert signed_in(cast.worker).get(_url(plan)).status_code == 200  # the old version stays readable
    section = signed_in(cast.worker).get(family.get_absolute_url()).content.decode()
    assert "Version 1 (in force, under review)" in section and "Plan review (under way)" in section


def test_record_progress_on_an_action(signed_in, cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    action = plan.actions.first()
    signed_in(cast.worker).post(_url(plan, f"actions/{action.pk}/progress/"), {
        "lock_version": action.lock_version, "completed_on": timezone.localdate().isoformat(),
        "progress_note": "Attended"})
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate()
    assert "1 of 3 actions complete" in signed_in(cast.worker).get(_url(plan)).content.decode()


def test_leader_dashboard_lists_awaiting_and_overdue(signed_in, cast, family, django_assert_max_num_queries):
    from tests.conftest import make_family_case

    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    late = make_family_case(cast.colleague)
    late.substantiated_on = timezone.localdate() - dt.timedelta(days=40)
    late.save()
    for _ in range(5):
        extra = make_family_case(cast.colleague)
        extra.substantiated_on = timezone.localdate() - dt.timedelta(days=30)
        extra.save()
    client = signed_in(cast.leader)
    with django_assert_max_num_queries(12):
        response = client.get("/plans/due/")
    html = response.content.decode()
    assert "Awaiting your endorsement" in html and late.reference in html and "Overdue" in html
    assert html.index(family.reference) < html.index(late.reference)
    assert "1 awaiting endorsement" in html and "6 with a timeframe overdue, 0 due soon" in html


def test_leader_dashboard_pages_long_lists(signed_in, cast, monkeypatch):
    from caseplans import views
    from tests.conftest import make_family_case

    monkeypatch.setattr(views, "DASHBOARD_PAGE_SIZE", 2)
    for _ in range(3):
        case = make_family_case(cast.worker)
        case.substantiated_on = timezone.localdate() - dt.timedelta(days=30)
        case.save()
    client = signed_in(cast.leader)
    first, second = client.get("/plans/due/").content.decode(), client.get("/plans/due/?page=2").content.decode()
    assert "Page 1 of 2 (3 cases)" in first and first.count('<tr id="case-') == 2
    assert second.count('<tr id="case-') == 1 and "3 with a timeframe overdue" in second


def test_case_page_section_has_fixed_queries(signed_in, cast, family, django_assert_max_num_queries):
    endorsed_plan(family, cast.worker, cast.leader, actions=10)
    client = signed_in(cast.worker)
    client.get(f"/cases/{family.reference}/")
    with django_assert_max_num_queries(60):
        html = client.get(f"/cases/{family.reference}/").content.decode()
    assert "Version 1" in html and "0 of 10 actions complete" in html


def test_plan_page_query_count_does_not_grow_with_actions(signed_in, cast, family, django_assert_max_num_queries):
    plan = draft_plan(family, cast.worker, actions=30)
    client = signed_in(cast.worker)
    with django_assert_max_num_queries(30):
        assert client.get(_url(plan)).status_code == 200


def test_goal_assessed_at_review_is_shown_on_the_next_version(signed_in, cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    client = signed_in(cast.worker)
    goal = plan.goals.get()
    response = client.post(_url(plan, f"goals/{goal.pk}/progress/"), {
        "progress": "limited", "evidence": "", "recommendation": "apply_for_order"})
    assert "This field is required." in response.content.decode()  # evidence is needed
    client.post(_url(plan, f"goals/{goal.pk}/progress/"), {
        "progress": "limited", "evidence": "Two of six sessions attended", "recommendation": "apply_for_order"})
    new = plan_services.plan_review_start(user=cast.worker, plan=plan)
    html = client.get(_url(new)).content.decode()
    assert "at the review: limited progress — apply for an order" in html


def test_copy_page_of_a_draft_redirects_with_the_reason(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    response = signed_in(cast.worker).get(_url(plan, "copy/"), follow=True)
    assert "after the plan is endorsed" in response.content.decode()
    plan.refresh_from_db()
    assert plan.copy_provided_on is None


def test_withdrawn_action_is_listed_with_its_reason_and_left_out_of_the_pdf(signed_in, cast, family):
    import io

    from pypdf import PdfReader

    plan = draft_plan(family, cast.worker)
    action = plan.actions.order_by("pk").first()
    client = signed_in(cast.worker)
    response = client.post(_url(plan, f"actions/{action.pk}/withdraw/"), {"lock_version": action.lock_version,
                                                                          "reason": ""})
    assert "This field is required." in response.content.decode()
    client.post(_url(plan, f"actions/{action.pk}/withdraw/"), {"lock_version": action.lock_version,
                                                               "reason": "The family chose another counsellor"})
    html = client.get(_url(plan)).content.decode()
    assert "0 of 2 actions complete" in html and "The family chose another counsellor" in html
    assert html.index("Withdrawn from this version") < html.index("session number 1")
    pdf = client.get(_url(plan, "pdf/")).content
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "sessionnumber2" in text and "sessionnumber1" not in text
