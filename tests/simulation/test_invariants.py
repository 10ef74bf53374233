"""Each invariant of the simulation can fail: a record is planted broken (a corrupted stored
result, a deleted alert, a run left unfinished …) and the check names it. The clock is pinned
with time-machine, so nothing depends on the hour the tests run."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertStatus
from cases.models import Case
from contacts import rules
from contacts.compliance import month_freeze
from contacts.models import CaseMonth, ComplianceRun, Contact, ContactParticipant, PendingRecompute, RunKind
from contacts.recompute import SHORTFALL_KEY, case_months_recompute
from simulation.clock import Beat, at
from simulation.invariants import CLOSE_TASK, ESCALATION_TASK, NIGHTLY_TASK, Invariants
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
THIS_MONTH, LAST_MONTH = dt.date(2026, 3, 1), dt.date(2026, 2, 1)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(at(TODAY, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def beat():
    """A beat that has sent every scheduled task every day so far this year at its hour."""
    beat = Beat(dispatcher=None, entries=[])
    day = dt.date(2026, 1, 1)
    while day <= TODAY:
        beat.sent[NIGHTLY_TASK].append(at(day, 2))
        beat.sent[CLOSE_TASK].append(at(day, 2, 30))
        beat.sent[ESCALATION_TASK].append(at(day, 3))
        day += dt.timedelta(days=1)
    return beat


@pytest.fixture
def invariants(beat):
    return Invariants(beat=beat, first_month=LAST_MONTH)


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker, children=1, risk="high")


def compute(case, month):
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=month)


def names(violations):
    return {v.name for v in violations}


def subjects(violations, name):
    return [v.subject for v in violations if v.name == name]


def details(violations, name):
    return [v.detail for v in violations if v.name == name]


def test_a_consistent_agency_has_no_violation(family, invariants):
    compute(family, LAST_MONTH)
    month_freeze(cases=Case.objects.filter(pk=family.pk), month=LAST_MONTH)
    compute(family, THIS_MONTH)
    assert invariants.check(timezone.now(), full=True) == []


def test_a_corrupted_open_month_is_named(family, invariants):
    compute(family, THIS_MONTH)
    CaseMonth.objects.filter(case=family, month=THIS_MONTH).update(achieved_total=7)
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "open_month_matches_facts") == [f"{family.reference} 2026-03"]
    assert details(violations, "open_month_matches_facts") == ["achieved_total: 7 → 0"]


def test_a_contact_saved_without_a_recompute_makes_the_open_month_stale(cast, family, invariants):
    compute(family, THIS_MONTH)
    contact = Contact.objects.create(case=family, occurred_at=timezone.now() - dt.timedelta(hours=2),
                                     kind="face_to_face", maker_role="caseworker", made_by=cast.worker,
                                     author=cast.worker, recorded_at=timezone.now(), location="parent_residence",
                                     location_person=family.parents[0].person)
    ContactParticipant.objects.create(contact=contact, member=family.children[0])
    assert "open_month_matches_facts" in names(invariants.check(timezone.now(), full=True))
    # A recompute waiting for it is not a violation (yet): the queue, or the nightly catch-up, will run it.
    PendingRecompute.objects.create(case=family, month=THIS_MONTH, requested_at=timezone.now())
    assert "open_month_matches_facts" not in names(invariants.check(timezone.now(), full=True))


def _closed(family, month=LAST_MONTH):
    compute(family, month)
    month_freeze(cases=Case.objects.filter(pk=family.pk), month=month)
    return CaseMonth.objects.get(case=family, month=month)


def test_a_closed_month_changed_without_an_amendment_is_named(family, invariants):
    _closed(family)
    CaseMonth.objects.filter(case=family, month=LAST_MONTH).update(status="met")
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "closed_month_is_close_plus_amendments") == [f"{family.reference} 2026-02"]


def test_a_month_closed_with_a_result_other_than_its_facts_is_named(family, invariants):
    before = timezone.now() - dt.timedelta(seconds=1)
    row = _closed(family)
    CaseMonth.objects.filter(pk=row.pk).update(result_at_close=row.result_at_close | {"required_total": 99})
    violations = invariants.after_beat(timezone.now(), before)
    assert subjects(violations, "closed_month_matches_facts_at_close") == [f"{family.reference} 2026-02"]


def test_a_short_closed_month_without_its_shortfall_alert_is_named(family, invariants):
    row = _closed(family)
    assert row.status == "short"
    Alert.objects.filter(key=SHORTFALL_KEY.format(case=family.pk, month=LAST_MONTH)).delete()
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "one_shortfall_alert_per_short_closed_month") == [f"{family.reference} 2026-02"]
    assert details(violations, "one_shortfall_alert_per_short_closed_month") == ["0 shortfall alerts"]


def test_a_second_shortfall_alert_for_the_same_month_is_named_twice(family, invariants):
    _closed(family)
    Alert.objects.create(key="shortfall-copy", kind=AlertKind.CONTACT_SHORTFALL, case=family, month=LAST_MONTH,
                         title=f"{family.reference}: contact shortfall")
    found = names(invariants.check(timezone.now(), full=True))
    assert {"one_shortfall_alert_per_short_closed_month", "no_duplicate_alerts"} <= found


def test_a_shortfall_alert_resolved_while_the_month_is_short_is_named(family, invariants):
    _closed(family)
    Alert.objects.filter(kind=AlertKind.CONTACT_SHORTFALL).update(status=AlertStatus.RESOLVED,
                                                                  resolved_at=timezone.now())
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "shortfall_alert_resolved_when_compliant") == [f"{family.reference} 2026-02"]


SHORTFALL_CHECKS = {"one_shortfall_alert_per_short_closed_month", "shortfall_alert_resolved_when_compliant"}


def test_a_closed_month_removed_by_a_later_closing_date_keeps_its_alert_resolved(cast, family, invariants,
                                                                                 django_capture_on_commit_callbacks):
    from cases.services import case_update

    _closed(family)
    with django_capture_on_commit_callbacks(execute=True):  # the case really closed in January, recorded now
        case_update(user=cast.worker, case=family, lock_version=family.lock_version,
                    closed_on=dt.date(2026, 1, 20), phase="closed")
    assert not CaseMonth.objects.filter(case=family, month=LAST_MONTH).exists()
    assert not SHORTFALL_CHECKS & names(invariants.check(timezone.now(), full=True))
    # Had the removal left the alert open, that would be named.
    Alert.objects.filter(kind=AlertKind.CONTACT_SHORTFALL).update(status=AlertStatus.NEW, resolved_at=None)
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "shortfall_alert_resolved_when_compliant") == [f"{family.reference} 2026-02"]
    assert details(violations, "shortfall_alert_resolved_when_compliant") == [
        "a shortfall alert still open for a month the case was not open in"]


def test_a_closed_month_amended_to_short_and_back_keeps_one_resolved_alert(cast, family, invariants):
    from contacts.models import CaseMonthAmendment

    row = _closed(family)
    met = row.result_at_close | {"status": "met"}
    short = row.result_at_close
    CaseMonth.objects.filter(pk=row.pk).update(status="met", result_at_close=met)
    Alert.objects.filter(kind=AlertKind.CONTACT_SHORTFALL).update(status=AlertStatus.RESOLVED,
                                                                  resolved_at=timezone.now())
    # Closed met, with an alert: no record explains it.
    violations = invariants.check(timezone.now(), full=True)
    assert details(violations, "one_shortfall_alert_per_short_closed_month") == [
        "a shortfall alert for a month not closed short"]
    # Amended to short (the alert raised) and back to met (resolved): explained.
    for before, after in ((met, short), (short, met)):
        CaseMonthAmendment.objects.create(case=family, month=LAST_MONTH, amended_at=timezone.now(),
                                          amended_by=cast.leader, reason="late record", result_before=before,
                                          result_after=after)
    assert not SHORTFALL_CHECKS & names(invariants.check(timezone.now(), full=True))


def test_a_result_for_a_month_the_case_was_not_open_in_is_named(family, invariants):
    compute(family, LAST_MONTH)
    compute(family, THIS_MONTH)
    Case.objects.filter(pk=family.pk).update(closed_on=dt.date(2026, 2, 20), phase="closed")  # no invalidation
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "no_month_row_outside_case") == [f"{family.reference} 2026-03"]


def test_a_month_left_open_after_its_grace_is_named(family, invariants):
    compute(family, LAST_MONTH)  # computed, never closed: the close run's chunk was lost
    # Recorded today, the case is due to be closed by the next close run, not the one on the 6th.
    assert "month_closed_after_grace" not in names(invariants.check(timezone.now(), full=True))
    Case.objects.filter(pk=family.pk).update(created_at=at(dt.date(2025, 1, 6)))
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "month_closed_after_grace") == [f"{family.reference} 2026-02"]
    assert details(violations, "month_closed_after_grace") == ["not closed by 2026-03-06 03:41"]


def test_a_month_is_not_late_while_the_broker_is_down_at_its_close(family, beat, invariants):
    compute(family, LAST_MONTH)
    beat.sent[CLOSE_TASK] = [moment for moment in beat.sent[CLOSE_TASK] if moment < at(dt.date(2026, 3, 6))]
    assert "month_closed_after_grace" not in names(invariants.check(timezone.now(), full=True))


def test_a_run_left_unfinished_is_named_after_its_time_limit_and_recovery(invariants, pinned_clock):
    ComplianceRun.objects.create(kind=RunKind.NIGHTLY, month=THIS_MONTH, run_on=TODAY, total_chunks=3, done_chunks=2)
    assert "no_run_unfinished" not in names(invariants.check(timezone.now()))
    pinned_clock.shift(dt.timedelta(hours=1, minutes=12))
    violations = invariants.check(timezone.now())
    assert subjects(violations, "no_run_unfinished") == ["Nightly recompute 2026-03 of 2026-03-10"]


def test_a_run_counting_a_chunk_twice_is_named(invariants):
    ComplianceRun.objects.create(kind=RunKind.MONTH_CLOSE, month=LAST_MONTH, run_on=TODAY, total_chunks=2,
                                 done_chunks=3, finished_at=timezone.now())
    assert "run_chunks_counted_once" in names(invariants.check(timezone.now()))


def test_a_recompute_left_waiting_after_the_nightly_run_is_named(family, invariants):
    PendingRecompute.objects.create(case=family, month=THIS_MONTH, requested_at=at(TODAY - dt.timedelta(days=1), 15))
    violations = invariants.check(timezone.now())
    assert subjects(violations, "no_pending_after_nightly") == [f"{family.reference} 2026-03"]
    # One requested this morning, after the nightly run, waits for the next one.
    PendingRecompute.objects.all().update(requested_at=at(TODAY, 9))
    assert "no_pending_after_nightly" not in names(invariants.check(timezone.now()))


def _shortfall_alert(family, created_on, **fields):
    alert = Alert.objects.get(kind=AlertKind.CONTACT_SHORTFALL, case=family)
    Alert.objects.filter(pk=alert.pk).update(created_at=at(created_on, 2, 30), **fields)
    return alert


def test_an_unacknowledged_shortfall_alert_not_escalated_is_named(family, invariants):
    _closed(family)
    _shortfall_alert(family, TODAY - dt.timedelta(days=8))
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "escalation_when_unacknowledged") == [f"{family.reference} 2026-02"]


def test_an_alert_acknowledged_in_time_is_not_to_be_escalated(family, invariants):
    _closed(family)
    _shortfall_alert(family, TODAY - dt.timedelta(days=8), status=AlertStatus.ACKNOWLEDGED,
                     acknowledged_at=at(TODAY - dt.timedelta(days=5), 9))
    assert names(invariants.check(timezone.now(), full=True)) == set()
    Alert.objects.filter(case=family).update(escalated_at=at(TODAY - dt.timedelta(days=1), 3))
    violations = invariants.check(timezone.now(), full=True)
    assert subjects(violations, "no_escalation_of_handled_alert") == [f"{family.reference} 2026-02"]
    assert details(violations, "no_escalation_of_handled_alert") == ["escalated after it was acknowledged"]


def test_an_alert_escalated_early_is_named(family, invariants):
    _closed(family)
    _shortfall_alert(family, TODAY - dt.timedelta(days=3), escalated_at=at(TODAY, 3))
    assert "no_escalation_of_handled_alert" in names(invariants.check(timezone.now(), full=True))


def test_the_month_row_of_a_case_never_open_that_month_is_named_even_when_closed(family, invariants):
    row = _closed(family)
    Case.objects.filter(pk=family.pk).update(opened_on=dt.date(2026, 3, 2))
    violations = invariants.check(timezone.now(), full=True)
    assert [d.split(" (")[0] for d in details(violations, "no_month_row_outside_case")] == [
        "a closed result for a month the case was not open in"]
    assert row.month == LAST_MONTH


def test_months_before_the_tracked_history_are_not_checked(family, beat):
    compute(family, rules.add_months(LAST_MONTH, -1))  # January: before the simulation began
    assert Invariants(beat=beat, first_month=LAST_MONTH).month_closed_after_grace(timezone.now(), None) == []
