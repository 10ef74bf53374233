"""Writes of children in care: placements and living arrangements as one story, agreements
with versions, carer visits with the agreement check and the carer line of the month."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert
from care import services
from care.models import AgreementCheck, ApprovalStatus, CarerVisit, Placement, PlacementAgreement
from cases import services as case_services
from cases.errors import CaseworkError
from cases.models import LivingArrangement, LivingKind
from contacts.models import CaseMonth, Contact, ScheduledVisit
from contacts.recompute import case_months_recompute
from tests.care.conftest import agree, household, place

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
