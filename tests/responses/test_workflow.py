"""Responses to new information, safety plans, reviews and closure, through the services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertStatus
from cases.models import Phase
from cases.permissions import Action, can
from cases.services import CaseworkError
from responses import selectors, services
from responses.models import PlanStatus, RecommendationStatus
from tests import factories as f
from tests.responses.conftest import complete_all_steps, new_concern


def test_a_new_concern_creates_the_manual_steps_with_due_dates(cast, family, settings):
    received = timezone.now() - dt.timedelta(hours=1)
    response = new_concern(family, cast.worker, received_at=received)
    steps = {s.code: s for s in response.steps.all()}
    assert list(steps) == ["view", "assess", "further_action", "safety_assessment", "case_plan_review",
                           "placement_review"]
    assert steps["safety_assessment"].due_at == received + dt.timedelta(hours=24)
    alert = Alert.objects.get(key=f"response:{response.pk}:received")
    assert {cast.worker, cast.leader} <= set(alert.recipients.all())
    assert family.reference in alert.title and "Child" not in alert.title


def test_due_hours_are_configurable(cast, family, settings):
    settings.RESPONSES_NEW_CONCERN_DUE_HOURS = [1, 2, 3, 48, 5, 6]
    response = new_concern(family, cast.worker)
    step = response.steps.get(code="safety_assessment")
    assert step.due_at == response.received_at + dt.timedelta(hours=48)


def test_steps_are_ticked_in_order_with_who_and_when(cast, family):
    response = new_concern(family, cast.worker)
    with pytest.raises(CaseworkError, match="View the information"):
        services.response_step_complete(user=cast.worker, response=response, code="assess", note="x")
    step = services.response_step_complete(user=cast.worker, response=response, code="view")
    assert step.done_by == cast.worker and step.done_at is not None
    with pytest.raises(CaseworkError, match="Record what was done"):
        services.response_step_complete(user=cast.worker, response=response, code="assess", note=" ")
    with pytest.raises(CaseworkError, match="already done"):
        services.response_step_complete(user=cast.worker, response=response, code="view")


def test_the_response_completes_when_every_step_is_done(cast, family):
    response = complete_all_steps(new_concern(family, cast.worker), cast.colleague)
    assert response.completed_at is not None
    assert response.victim_support_information_given
    assert response.steps.get(code="safety_assessment").note.startswith("Safety assessment of")
    assert Alert.objects.get(key=f"response:{response.pk}:received").status == AlertStatus.RESOLVED


def test_only_a_safety_assessment_ticks_the_safety_step(cast, family):
    response = new_concern(family, cast.worker)
    services.response_step_complete(user=cast.worker, response=response, code="view")
    with pytest.raises(CaseworkError, match="Record the safety assessment"):
        services.response_step_complete(user=cast.worker, response=response, code="safety_assessment", note="done")


def test_unsafe_decision_needs_threats_and_nothing_is_saved(cast, family):
    with pytest.raises(CaseworkError, match="safety threats"):
        services.safety_assessment_record(user=cast.worker, case=family, completed_on=timezone.localdate(),
                                          decision="unsafe", threats="")
    assert not family.safety_assessments.exists()


def test_people_who_may_not_edit_cannot_respond(cast, family):
    response = new_concern(family, cast.worker)
    with pytest.raises(PermissionDenied):
        services.response_step_complete(user=cast.manager, response=response, code="view")


def test_overdue_steps_raise_alerts_to_caseworker_and_team_leader(cast, family):
    response = new_concern(family, cast.worker, received_at=timezone.now() - dt.timedelta(hours=30))
    counts = services.due_dates_check()
    # view (4 h) and assess and safety assessment (24 h) are overdue; the others are not yet.
    assert counts["response_steps"] == 3
    step = response.steps.get(code="safety_assessment")
    alert = Alert.objects.get(key=f"response-step:{step.pk}")
    assert alert.kind == AlertKind.RESPONSE_STEP_DUE
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}
    services.due_dates_check()
    assert Alert.objects.filter(key__startswith="response-step:").count() == 3  # idempotent
    services.response_step_complete(user=cast.worker, response=response, code="view")
    services.safety_assessment_record(user=cast.worker, case=family, response=response,
                                      completed_on=timezone.localdate(), decision="safe")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


# --- Record alerts ---------------------------------------------------------------------------


def test_active_record_alerts_include_alerts_on_the_cases_people_in_one_query(cast, family, django_assert_num_queries):
    other = f.CaseFactory(caseworker=cast.worker, team=cast.team_a)
    f.MemberFactory(case=other, person=family.parents[0].person, role="parent")
    today = timezone.localdate()
    on_case = services.record_alert_create(user=cast.worker, case=family, person=None, category="worker_safety",
                                           severity="high", details="Aggressive dog", starts_on=today)
    on_parent = services.record_alert_create(user=cast.worker, case=family, person=family.parents[0].person,
                                             category="court_order", severity="medium",
                                             details="No contact with the father", starts_on=today)
    ended = services.record_alert_create(user=cast.worker, case=family, person=None, category="medical",
                                         severity="low", details="Asthma", starts_on=today)
    services.record_alert_end(user=cast.worker, alert=ended,
                              lock_version=ended.lock_version, case=family, reason="No longer relevant")
    with django_assert_num_queries(1):
        alerts = selectors.active_record_alerts([family.pk, other.pk])
    assert alerts[family.pk] == [on_case, on_parent]
    assert alerts[other.pk] == [on_parent]
    ended.refresh_from_db()
    assert ended.history.count() == 2 and ended.ended_by == cast.worker


def test_an_alert_must_end_with_a_reason(cast, family):
    alert = services.record_alert_create(user=cast.worker, case=family, person=None, category="other",
                                         severity="low", details="x", starts_on=timezone.localdate())
    with pytest.raises(CaseworkError, match="reason"):
        services.record_alert_end(user=cast.worker, alert=alert, lock_version=alert.lock_version, case=family, reason="  ")
    alert.refresh_from_db()
    assert alert.ended_on is None


def test_an_overdue_alert_review_raises_an_in_app_alert(cast, family):
    start = timezone.localdate() - dt.timedelta(days=40)
    alert = services.record_alert_create(user=cast.worker, case=family, person=family.children[0].person,
                                         category="medical", severity="medium", details="Needs insulin",
                                         starts_on=start, review_on=start + dt.timedelta(days=30))
    assert services.due_dates_check()["record_alert_reviews"] == 1
    raised = Alert.objects.get(key=f"record-alert-review:{alert.pk}")
    assert raised.kind == AlertKind.RECORD_ALERT_REVIEW and list(raised.recipients.all()) == [cast.worker]
    due = start + dt.timedelta(days=30)
    assert raised.title.endswith(f"was due {due.day} {due:%b %Y}")  # the date as every page shows it
    services.record_alert_review(user=cast.worker, alert=alert, lock_version=alert.lock_version, case=family,
                                 next_review_on=timezone.localdate() + dt.timedelta(days=30))
    raised.refresh_from_db()
    assert raised.status == AlertStatus.RESOLVED
    assert services.due_dates_check()["record_alert_reviews"] == 0


# --- Safety plans --------------------------------------------------------------------------


def _plan(case, user, developed_on=None):
    return services.safety_plan_submit(user=user, case=case, developed_on=developed_on or timezone.localdate(),
                                       threats="Father's violence", actions="Father stays away",
                                       responsible="Mother; caseworker checks weekly")


def test_a_safety_plan_needs_approval_by_a_team_leader_of_the_case(cast, family):
    plan = _plan(family, cast.worker)
    assert plan.status == PlanStatus.PENDING
    assert cast.leader in Alert.objects.get(key=f"safety-plan:{plan.pk}:approval").recipients.all()
    for outsider in (cast.colleague, cast.manager):
        with pytest.raises(PermissionDenied):
            services.safety_plan_decide(user=outsider, plan=plan, approve=True)
    services.safety_plan_decide(user=cast.leader, plan=plan, approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == cast.leader


def test_nobody_approves_their_own_safety_plan(cast, family):
    plan = _plan(family, cast.leader)
    with pytest.raises(CaseworkError, match="you submitted"):
        services.safety_plan_decide(user=cast.leader, plan=plan, approve=True)


def test_returning_a_plan_needs_a_comment(cast, family):
    plan = _plan(family, cast.worker)
    with pytest.raises(CaseworkError, match="needs to change"):
        services.safety_plan_decide(user=cast.leader, plan=plan, approve=False, comment="")
    services.safety_plan_decide(user=cast.leader, plan=plan, approve=False, comment="Name who checks")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED


def test_a_changed_plan_replaces_the_approved_one_only_once_approved(cast, family):
    first = _plan(family, cast.worker)
    services.safety_plan_decide(user=cast.leader, plan=first, approve=True)
    second = _plan(family, cast.worker)
    first.refresh_from_db()
    assert first.status == PlanStatus.APPROVED  # still in force until the change is approved
    services.safety_plan_decide(user=cast.leader, plan=second, approve=True)
    first.refresh_from_db()
    assert first.status == PlanStatus.REPLACED and second.replaces == first


def test_a_plan_documented_after_the_next_working_day_is_late(cast, family):
    today = timezone.localdate()
    days_back = 7
    plan = _plan(family, cast.worker, developed_on=today - dt.timedelta(days=days_back))
    assert plan.documented_late
    assert plan.documentation_due_on > plan.developed_on
    assert not _plan(family, cast.worker, developed_on=today).documented_late


def test_a_decision_needing_a_plan_without_one_is_alerted_after_the_next_working_day(cast, family):
    assessment = services.safety_assessment_record(user=cast.worker, case=family,
                                                   completed_on=timezone.localdate() - dt.timedelta(days=6),
                                                   decision="safe_with_plan", threats="Mother's drinking")
    services.due_dates_check()
    alert = Alert.objects.get(key=f"safety-assessment:{assessment.pk}:plan")
    assert alert.kind == AlertKind.SAFETY_PLAN
    services.safety_plan_submit(user=cast.worker, case=family, developed_on=timezone.localdate(), threats="t",
                                actions="a", responsible="r", assessment=assessment)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


# --- Supervision and formal reviews -------------------------------------------------------------


def test_supervision_is_recorded_by_the_team_leader_of_the_case(cast, family):
    kwargs = dict(case=family, held_on=timezone.localdate(), discussion="Progress", decisions="Continue",
                  rationale="Safe at home")
    for other, refusal in ((cast.worker, PermissionDenied), (cast.other_team_leader, Http404),
                           (cast.manager, PermissionDenied)):
        with pytest.raises(refusal):
            services.supervision_review_record(user=other, **kwargs)
    services.supervision_review_record(user=cast.leader, **kwargs)
    dates = selectors.case_review_dates(family)
    assert dates.supervision_due_on == timezone.localdate() + dt.timedelta(weeks=6)


def test_high_risk_cases_fall_due_for_supervision_sooner(cast):
    from tests.conftest import make_family_case

    high = make_family_case(cast.worker, risk="high")
    low = make_family_case(cast.worker, risk="low")
    assert (selectors.case_review_dates(low).supervision_due_on
            - selectors.case_review_dates(high).supervision_due_on) == dt.timedelta(weeks=2)


def test_due_reviews_alert_the_caseworker_and_team_leader_and_clear_when_recorded(cast, family):
    counts = services.due_dates_check()
    assert counts["supervision"] >= 1 and counts["formal_reviews"] >= 1
    alert = Alert.objects.get(key=f"supervision-due:{family.pk}")
    assert alert.kind == AlertKind.SUPERVISION_DUE and {cast.worker, cast.leader} == set(alert.recipients.all())
    services.supervision_review_record(user=cast.leader, case=family, held_on=timezone.localdate(), discussion="d",
                                       decisions="d", rationale="r")
    services.formal_review_record(user=cast.worker, case=family, held_on=timezone.localdate(),
                                  assessments_completed="FRRE", progress="Good", decision="Continue")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert Alert.objects.get(key=f"formal-review-due:{family.pk}").status == AlertStatus.RESOLVED
    services.due_dates_check()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_due_dates_check_runs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    from tests.conftest import make_family_case

    for _ in range(3):
        make_family_case(cast.worker)
    with django_assert_max_num_queries(20) as few:
        services.due_dates_check()
    for _ in range(5):
        make_family_case(cast.colleague)
    with django_assert_max_num_queries(len(few.captured_queries)):
        services.due_dates_check()


def test_the_task_calls_the_check(cast, family):
    from responses.tasks import due_dates_check

    assert due_dates_check.delay().get()["supervision"] >= 1


def test_a_review_cannot_be_in_the_future_and_needs_every_part(cast, family):
    with pytest.raises(CaseworkError, match="future"):
        services.formal_review_record(user=cast.worker, case=family, held_on=timezone.localdate() + dt.timedelta(1),
                                      assessments_completed="a", progress="p", decision="d")
    with pytest.raises(CaseworkError, match="progress"):
        services.formal_review_record(user=cast.worker, case=family, held_on=timezone.localdate(),
                                      assessments_completed="a", progress=" ", decision="d")
    assert not family.formal_reviews.exists()


# --- Closure and protection applications ------------------------------------------------------


def test_nobody_endorses_their_own_recommendation(cast, family):
    own = services.recommendation_make(user=cast.leader, case=family, kind="close", rationale="Goals met")
    with pytest.raises(CaseworkError, match="your own"):
        services.recommendation_decide(user=cast.leader, recommendation=own, endorse=True)
    with pytest.raises(Http404):
        services.recommendation_decide(user=cast.other_team_leader, recommendation=own, endorse=True)
    with pytest.raises(PermissionDenied):
        services.recommendation_decide(user=cast.manager, recommendation=own, endorse=True)


def test_one_pending_recommendation_at_a_time(cast, family):
    services.recommendation_make(user=cast.worker, case=family, kind="protection_application", rationale="Risk up")
    with pytest.raises(CaseworkError, match="already awaits"):
        services.recommendation_make(user=cast.worker, case=family, kind="close", rationale="x")


def test_closing_needs_an_endorsed_recommendation_and_a_confirmation(cast, family):
    with pytest.raises(CaseworkError, match="endorse"):
        services.case_close(user=cast.worker, case=family, confirmed=True)
    recommendation = services.recommendation_make(user=cast.worker, case=family, kind="close", rationale="Safe")
    with pytest.raises(CaseworkError, match="endorse"):
        services.case_close(user=cast.worker, case=family, confirmed=True)
    services.recommendation_decide(user=cast.leader, recommendation=recommendation, endorse=False,
                                   comment="One more visit first")
    with pytest.raises(CaseworkError, match="endorse"):
        services.case_close(user=cast.worker, case=family, confirmed=True)
    again = services.recommendation_make(user=cast.worker, case=family, kind="close", rationale="Visit done")
    services.recommendation_decide(user=cast.leader, recommendation=again, endorse=True)
    with pytest.raises(CaseworkError, match="Confirm"):
        services.case_close(user=cast.worker, case=family, confirmed=False)
    family.refresh_from_db()
    assert family.closed_on is None


def test_closing_cancels_visits_ends_referrals_and_makes_the_record_read_only(cast, family):
    from contacts.models import ScheduledVisit, VisitStatus
    from services import services as referral_services
    from services.models import Referral, Service, ServiceProvider

    visit = ScheduledVisit.objects.create(case=family, scheduled_for=timezone.localdate() + dt.timedelta(days=5))
    provider = ServiceProvider.objects.create(name="Test Parenting Hub")
    service = Service.objects.create(provider=provider, name="Parenting program", service_type="parenting",
                                     area_served="Anywhere")
    referral = referral_services.referral_create(user=cast.worker, case=family, service=service,
                                                 people=[family.parents[0]], reason="Parenting support")
    referral = referral_services.referral_transition(user=cast.worker, referral=referral, to_status="sent")
    recommendation = services.recommendation_make(user=cast.worker, case=family, kind="close", rationale="Safe")
    services.recommendation_decide(user=cast.leader, recommendation=recommendation, endorse=True, comment="Agreed")
    changed = services.case_close(user=cast.worker, case=family, confirmed=True)
    assert changed == {"visits_cancelled": 1, "referrals_ended": 1}
    family.refresh_from_db()
    visit.refresh_from_db()
    recommendation.refresh_from_db()
    assert family.closed_on == timezone.localdate() and family.phase == Phase.CLOSED
    assert visit.status == VisitStatus.CANCELLED
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"
    assert recommendation.status == RecommendationStatus.ACTIONED
    assert not can(cast.worker, Action.EDIT, family)
    with pytest.raises(PermissionDenied):
        new_concern(family, cast.worker)


def test_closing_prorates_the_month_of_closure(cast):
    """Obligations stop from the closure date: the month's requirement is prorated."""
    from cases.models import Case
    from contacts import rules as contact_rules
    from contacts.facts import load_month_facts
    from tests.conftest import make_family_case

    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    case = make_family_case(cast.worker, risk="high", children=1)

    def required():
        facts = load_month_facts(Case.objects.filter(pk=case.pk), last_month)[case.pk]
        return sum(line.required for line in contact_rules.evaluate(facts).lines)

    before = required()
    recommendation = services.recommendation_make(user=cast.worker, case=case, kind="close", rationale="Safe")
    services.recommendation_decide(user=cast.leader, recommendation=recommendation, endorse=True)
    services.case_close(user=cast.worker, case=case, closed_on=last_month + dt.timedelta(days=2), confirmed=True)
    after = required()
    assert before > 0 and after < before


def test_a_reviewed_alert_that_stays_needs_its_next_review_date(cast, family):
    alert = services.record_alert_create(user=cast.worker, case=family, person=None, category="other",
                                         severity="low", details="Check before visiting",
                                         starts_on=timezone.localdate(),
                                         review_on=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(CaseworkError, match="next review date"):
        services.record_alert_review(user=cast.worker, alert=alert, lock_version=alert.lock_version, case=family,
                                     next_review_on=None)
    alert.refresh_from_db()
    assert alert.review_on == timezone.localdate() + dt.timedelta(days=3)
