"""Writes of children in care: placements and living arrangements as one story, agreements
with versions, carer visits with the agreement check and the carer line of the month."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertStatus
from care import selectors, services
from care.models import (
    AgreementCheck,
    ApprovalStatus,
    CarerVisit,
    FamilyTimeArrangement,
    FamilyTimeStage,
    Placement,
    PlacementAgreement,
)
from cases import services as case_services
from cases.errors import CaseworkError
from cases.models import LivingArrangement, LivingKind, Person
from contacts.models import CaseMonth, Contact, ScheduledVisit
from contacts.recompute import case_months_recompute
from tests.care.conftest import agree, arrange, household, place, put_in_care, staged
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


def _visit(placement, *, checks, child_seen=False, when=None, next_visit_on=None, **more):
    when = when or timezone.localtime() - dt.timedelta(hours=2)
    return services.CarerVisitInput(occurred_at=when, child_seen=child_seen, carer_names="Mai Nguyen",
                                    support_given="Talked through the school routine", checks=checks,
                                    next_visit_on=next_visit_on, **more)


def test_a_placement_is_the_childs_in_care_living_arrangement_and_ends_the_one_before(cast, cases):
    case = cases["own"]
    child = case.children[0]
    placement = place(case, cast.leader, household())
    arrangements = list(LivingArrangement.objects.filter(member=child).order_by("effective_from"))
    assert [a.kind for a in arrangements] == [LivingKind.AT_HOME, LivingKind.IN_CARE]
    assert arrangements[0].effective_to == placement.start - dt.timedelta(days=1)
    assert arrangements[1] == placement.living_arrangement and arrangements[1].effective_to is None
    assert placement.history.count() == 1 and placement.living_arrangement.history.count() == 1


def test_the_two_histories_cannot_disagree(cast, cases):
    case = cases["own"]
    child = case.children[0]
    first = place(case, cast.leader, household("Fictional A household"), start=timezone.localdate() - dt.timedelta(days=60))
    second = place(case, cast.leader, household("Fictional B household"), start=timezone.localdate() - dt.timedelta(days=20),
                   reason="The first carers asked for respite")
    first.refresh_from_db()
    first.living_arrangement.refresh_from_db()
    assert first.end == second.start - dt.timedelta(days=1)  # the living arrangement's end is the placement's
    # Turning the placement's living arrangement into "at home" through the cases app is refused.
    arrangement = LivingArrangement.objects.get(pk=second.living_arrangement_id)
    arrangement.kind, arrangement.with_person = LivingKind.AT_HOME, case.parents[0].person
    with pytest.raises(CaseworkError, match="stays 'in care'"):
        case_services.child_fact_record(user=cast.worker, fact=arrangement, lock_version=arrangement.lock_version)
    in_care = LivingArrangement.objects.filter(member=child, kind=LivingKind.IN_CARE)
    assert sorted(in_care.values_list("pk", flat=True)) == sorted(Placement.objects.values_list(
        "living_arrangement_id", flat=True))
    # Ending the placement ends the living arrangement: one row says both.
    services.placement_end(user=cast.worker, placement=second, ended_on=timezone.localdate())
    assert LivingArrangement.objects.get(pk=second.living_arrangement_id).effective_to == timezone.localdate()


def test_a_household_not_approved_cannot_take_a_placement(cast, cases):
    home = household(status=ApprovalStatus.ASSESSING)
    with pytest.raises(CaseworkError, match="not approved"):
        place(cases["own"], cast.leader, home)
    assert not LivingArrangement.objects.filter(kind=LivingKind.IN_CARE).exists()


@pytest.mark.parametrize("problem", ["leader", "reason", "future", "parent"])
def test_a_placement_refused_saves_nothing(cast, cases, problem):
    case = cases["own"]
    kwargs = {"leader": {"approved_by": cast.other_team_leader}, "reason": {"reason_for_change": "  "},
              "future": {"start": timezone.localdate() + dt.timedelta(days=3)},
              "parent": {"child": case.parents[0]}}[problem]
    data = {"user": cast.worker, "child": case.children[0], "household": household(), "placement_type": "emergency",
            "start": timezone.localdate(), "reason_for_change": "Unsafe at home", "approved_by": cast.leader, **kwargs}
    with pytest.raises(CaseworkError):
        services.placement_record(**data)
    assert not Placement.objects.exists() and not LivingArrangement.objects.filter(kind=LivingKind.IN_CARE).exists()


def test_a_new_agreement_is_a_new_version_and_the_old_one_stays(cast, cases):
    placement = place(cases["own"], cast.leader, household())
    first = agree(placement, cast.worker)
    second = agree(placement, cast.worker, items=(("parents", "Attend family time on Saturdays"),))
    assert (first.version, second.version) == (1, 2)
    assert [i.what for i in PlacementAgreement.objects.get(pk=first.pk).items.all()] == [
        "Take the child to school", "Fortnightly phone call"]
    assert services.current_agreement(placement) == second
    with pytest.raises(CaseworkError, match="at least one"):
        services.agreement_save(user=cast.worker, placement=placement, items=[], supports_to_carer="",
                                review_on=timezone.localdate())


def test_a_carer_visit_goes_through_every_item_and_a_concern_alerts_caseworker_and_team_leader(cast, cases):
    case = cases["own"]
    placement = place(case, cast.leader, household())
    school, call = agree(placement, cast.worker).items.all()
    with pytest.raises(CaseworkError, match="every item"):
        services.carer_visit_record(user=cast.worker, placement=placement,
                                    data=_visit(placement, checks={school.pk: ("on_track", "")}))
    with pytest.raises(CaseworkError, match="what the concern is"):
        services.carer_visit_record(user=cast.worker, placement=placement, data=_visit(
            placement, checks={school.pk: ("concern", ""), call.pk: ("on_track", "")}))
    assert not Contact.objects.filter(carer_visit__isnull=False).exists() and not CarerVisit.objects.exists()
    next_day = timezone.localdate() + dt.timedelta(days=28)
    visit = services.carer_visit_record(user=cast.worker, placement=placement, data=_visit(
        placement, checks={school.pk: ("concern", "Missed three school days"), call.pk: ("not_applicable", "")},
        transport=True, next_visit_on=next_day))
    assert visit.issues == ["Transport"]
    assert dict(AgreementCheck.objects.values_list("item_id", "status")) == {school.pk: "concern",
                                                                              call.pk: "not_applicable"}
    alert = Alert.objects.get(key=f"carer-visit-concern:{visit.pk}")
    assert case.reference in alert.title and "Child" not in alert.title
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}
    assert ScheduledVisit.objects.filter(case=case, scheduled_for=next_day, agreed_in=visit.contact).exists()


def test_no_concern_no_alert(cast, cases):
    placement = place(cases["own"], cast.leader, household())
    items = agree(placement, cast.worker).items.all()
    services.carer_visit_record(user=cast.worker, placement=placement,
                                data=_visit(placement, checks={i.pk: ("on_track", "") for i in items}))
    assert not Alert.objects.filter(key__startswith="carer-visit-concern").exists()


def test_the_stored_month_shows_the_carer_line_and_the_childs_requirement_stays_as_it_was(cast, cases, settings):
    case = cases["own"]
    month = timezone.localdate().replace(day=1)
    case_months_recompute(cases=type(case).objects.filter(pk=case.pk), month=month)
    before = CaseMonth.objects.get(case=case, month=month)
    assert before.separate_lines == []
    placement = place(case, cast.leader, household(), start=month)
    case_months_recompute(cases=type(case).objects.filter(pk=case.pk), month=month)
    short = CaseMonth.objects.get(case=case, month=month)
    assert [(line["code"], line["achieved"]) for line in short.separate_lines] == [("carer_visit", 0)]
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(month.replace(day=15), dt.time(12))), tick=False):
        visit = services.carer_visit_record(user=cast.worker, placement=placement, data=_visit(
            placement, checks={}, when=timezone.make_aware(dt.datetime.combine(month.replace(day=15), dt.time(10)))))
    case_months_recompute(cases=type(case).objects.filter(pk=case.pk), month=month)
    after = CaseMonth.objects.get(case=case, month=month)
    assert after.separate_lines[0]["counted"] == [visit.contact_id]
    assert after.separate_lines[0]["achieved"] == 1
    assert after.required_total == short.required_total




def test_family_time_is_arranged_only_for_a_child_in_care(cast):
    case = make_family_case(cast.worker, children=1)
    with pytest.raises(CaseworkError, match="not in care"):
        arrange(case.children[0], cast.worker)
    put_in_care(case.children[0])
    arrangement = arrange(case.children[0], cast.worker)
    assert list(arrangement.participants.all()) == [case.parents[0]]
    assert arrangement.history.count() == 1
    with pytest.raises(CaseworkError, match="already has"):
        arrange(case.children[0], cast.worker)


def test_supervised_family_time_names_its_supervisor(in_care, cast):
    with pytest.raises(CaseworkError, match="who supervises"):
        arrange(in_care.children[0], cast.worker, supervisor=" ")
    assert not FamilyTimeArrangement.objects.exists()


def test_a_staged_plan_is_for_a_child_whose_goal_is_reunification(cast):
    case = make_family_case(cast.worker, children=1)
    put_in_care(case.children[0], goal="long_term_care")
    arrangement = arrange(case.children[0], cast.worker)
    with pytest.raises(CaseworkError, match="reunification"):
        staged(arrangement, cast.worker, stages=1)


def test_progressing_needs_the_team_leaders_approval_and_then_applies_the_stage(in_care, cast):
    arrangement = staged(arrange(in_care.children[0], cast.worker), cast.worker)
    progression = services.progression_request(user=cast.worker, arrangement=arrangement,
                                               rationale="Visits went well")
    alert = Alert.objects.get(key=services.progression_alert_key(progression))
    assert in_care.reference in alert.title and cast.leader in alert.recipients.all()
    with pytest.raises(CaseworkError, match="already waiting"):
        services.progression_request(user=cast.worker, arrangement=arrangement, rationale="Again")
    for refused in (cast.worker, cast.colleague):
        with pytest.raises(CaseworkError, match="team leader"):
            services.progression_decide(user=refused, progression=progression, approve=True)
    with pytest.raises(Http404):  # another team's leader does not see the case at all
        services.progression_decide(user=cast.other_team_leader, progression=progression, approve=True)
    with pytest.raises(CaseworkError, match="Say why"):
        services.progression_decide(user=cast.leader, progression=progression, approve=False)
    services.progression_decide(user=cast.leader, progression=progression, approve=True, comment="Agreed")
    arrangement.refresh_from_db()
    stage = FamilyTimeStage.objects.get(arrangement=arrangement, number=1)
    assert stage.status == "current" and arrangement.period == "week" and arrangement.review_on == stage.review_on
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED
    with pytest.raises(CaseworkError, match="already been decided"):
        services.progression_decide(user=cast.leader, progression=progression, approve=True)
    second = services.progression_request(user=cast.worker, arrangement=arrangement, rationale="Ready for more")
    services.progression_decide(user=cast.leader, progression=second, approve=True)
    assert list(arrangement.stages.values_list("number", "status")) == [(1, "done"), (2, "current")]
    arrangement.refresh_from_db()
    assert arrangement.supervision == "partly" and arrangement.sessions == 2


def test_a_team_leader_never_approves_their_own_request(in_care, cast):
    arrangement = staged(arrange(in_care.children[0], cast.leader), cast.leader)
    progression = services.progression_request(user=cast.leader, arrangement=arrangement, rationale="Going well")
    with pytest.raises(CaseworkError, match="own request"):
        services.progression_decide(user=cast.leader, progression=progression, approve=True)


def test_a_missed_session_alerts_the_caseworker_and_team_leader_by_reference(in_care, cast):
    arrangement = arrange(in_care.children[0], cast.worker)
    day = timezone.localdate() - dt.timedelta(days=1)
    services.session_record(user=cast.worker, arrangement=arrangement, on=day, outcome="held", observations="Fine")
    assert not Alert.objects.filter(kind=AlertKind.FAMILY_TIME_MISSED).exists()
    session = services.session_record(user=cast.worker, arrangement=arrangement, on=day, outcome="missed",
                                      by_whom="parent")
    alert = Alert.objects.get(key=services.missed_alert_key(session))
    assert alert.kind == AlertKind.FAMILY_TIME_MISSED and in_care.reference in alert.title
    assert in_care.children[0].person.given_name not in alert.title
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}


def test_the_daily_check_alerts_overdue_reviews_and_resolves_them_after_a_review(in_care, cast):
    arrangement = arrange(in_care.children[0], cast.worker)
    today = timezone.localdate()
    assert services.family_time_reviews_check(today=today) == 0
    later = arrangement.review_on + dt.timedelta(days=1)
    assert services.family_time_reviews_check(today=later) == 1
    assert services.family_time_reviews_check(today=later) == 0  # idempotent
    alert = Alert.objects.get(kind=AlertKind.FAMILY_TIME_REVIEW)
    assert in_care.reference in alert.title and set(alert.recipients.all()) == {cast.worker, cast.leader}
    services.review_record(user=cast.worker, arrangement=arrangement, reviewed_on=today, outcome="Stay as is",
                           next_review_on=later + dt.timedelta(days=30))
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED
    assert services.family_time_reviews_check(today=later) == 0


def test_a_closed_case_has_no_overdue_review_alert(in_care, cast):
    arrangement = arrange(in_care.children[0], cast.worker)
    type(in_care).objects.filter(pk=in_care.pk).update(closed_on=timezone.localdate(), phase="closed")
    assert services.family_time_reviews_check(today=arrangement.review_on + dt.timedelta(days=3)) == 0


def test_a_cultural_support_plan_is_for_an_aboriginal_or_torres_strait_islander_child(in_care, cast):
    child = in_care.children[0]
    review_on = timezone.localdate() + dt.timedelta(days=60)
    with pytest.raises(CaseworkError, match="not recorded as one"):
        services.cultural_plan_save(user=cast.worker, member=child, review_on=review_on)
    Person.objects.filter(pk=child.person_id).update(indigenous_status="torres_strait_islander")
    child.person.refresh_from_db()
    plan = services.cultural_plan_save(user=cast.worker, member=child, review_on=review_on, community="Island")
    services.cultural_activity_add(user=cast.worker, plan=plan, activity="Island dance group", responsible="Carer")
    with pytest.raises(CaseworkError, match="who is responsible"):
        services.cultural_activity_add(user=cast.worker, plan=plan, activity="Language", responsible="")
    assert [a.activity for a in selectors.cultural_plan_activities(cast.worker, child)] == ["Island dance group"]
    assert selectors.cultural_plan_activities(cast.other_team_worker, child) == []
