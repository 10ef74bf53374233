"""The nightly run costs what changed (issue 15): it recomputes only the case-months that
may be out of date — a change waiting (PendingRecompute), no stored result yet (a month
begun, a case opened), other rules or settings (the stored fingerprint) — and brings "at
risk" up to the day from the stored results without evaluating again. The clock is
pinned in every test."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from alerts.models import Alert
from cases.models import Case
from cases.services import person_save
from contacts import compliance, tasks
from contacts.models import CaseMonth, ComplianceRun, PendingRecompute, ScheduledVisit
from contacts.recompute import cases_needing_recompute
from contacts.results import rules_fingerprint
from contacts.services import ContactInput, contact_record, scheduled_visits_cancel
from tests.conftest import make_family_case

AGENCY = zoneinfo.ZoneInfo(settings.TIME_ZONE)
NIGHT = dt.datetime(2026, 3, 10, 2, 0, tzinfo=AGENCY)  # 02:00 agency time, when the nightly run starts
MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def clock():
    with time_machine.travel(NIGHT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def agency(clock, cast):
    """Three open low-risk cases: two in team A, one in team B, each with a visit planned
    for the 20th (so none is at risk early in the month)."""
    cases = [make_family_case(cast.worker, risk="low", children=1),
             make_family_case(cast.colleague, risk="low", children=1),
             make_family_case(cast.other_team_worker, risk="low", children=1)]
    ScheduledVisit.objects.bulk_create([ScheduledVisit(case=case, scheduled_for=dt.date(2026, 3, 20))
                                        for case in cases])
    return cases


def _night(clock, day: int) -> ComplianceRun:
    """02:00 on ``day`` of March: the nightly task, its chunks run in process."""
    clock.move_to(dt.datetime(2026, 3, day, 2, 0, tzinfo=AGENCY))
    return ComplianceRun.objects.get(pk=tasks.nightly_compliance())


def _stored(month=MARCH) -> dict[int, CaseMonth]:
    return {row.case_id: row for row in CaseMonth.objects.filter(month=month)}


def _visit(user, case, when: dt.datetime):
    return contact_record(user=user, case=case, data=ContactInput(
        occurred_at=when, kind="face_to_face", mode="in_person", made_by=user, location="parent_residence",
        location_person=case.parents[0].person, participants=case.children + case.parents,
        purpose="Home visit", observations="Seen at home."))


def test_a_nightly_run_after_a_day_with_one_change_recomputes_that_case_month_only(cast, agency, clock):
    first = _night(clock, 10)
    assert first.cases_processed == 3 and first.finished_at  # nothing stored yet: every case computed
    before = _stored()
    assert {row.status for row in before.values()} == {"short"}

    clock.move_to(dt.datetime(2026, 3, 10, 11, 0, tzinfo=AGENCY))
    _visit(cast.worker, agency[0], timezone.now() - dt.timedelta(hours=1))  # its queued task never ran
    assert PendingRecompute.objects.filter(case=agency[0], month=MARCH).exists()

    run = _night(clock, 11)
    after = _stored()
    rewritten = {case_id for case_id, row in after.items() if row.computed_at != before[case_id].computed_at}
    assert rewritten == {agency[0].pk}
    assert after[agency[0].pk].achieved_total > before[agency[0].pk].achieved_total  # the visit counted
    for case in agency[1:]:  # unchanged: the same stored row, result and time of evaluation
        assert after[case.pk].pk == before[case.pk].pk
        assert (after[case.pk].computed_at, after[case.pk].lines) == (before[case.pk].computed_at,
                                                                      before[case.pk].lines)
    assert not PendingRecompute.objects.exists()
    assert run.finished_at and run.total_chunks == run.done_chunks == 1  # both teams in one chunk


def test_a_change_minutes_before_the_run_is_recomputed_by_the_run_itself(cast, agency, clock):
    _night(clock, 10)
    clock.move_to(dt.datetime(2026, 3, 11, 1, 58, tzinfo=AGENCY))  # younger than the catch-up's grace
    _visit(cast.colleague, agency[1], timezone.now() - dt.timedelta(minutes=30))
    before = _stored()
    run = _night(clock, 11)
    assert run.cases_processed == 1  # the chunk itself, not the catch-up, recomputed it
    after = _stored()
    assert {c for c, row in after.items() if row.computed_at != before[c].computed_at} == {agency[1].pk}
    assert after[agency[1].pk].achieved_total > before[agency[1].pk].achieved_total
    assert not PendingRecompute.objects.filter(month=MARCH).exists()


def test_a_night_with_no_change_recomputes_nothing(agency, clock):
    _night(clock, 10)
    before = _stored()
    run = _night(clock, 11)
    assert run.cases_processed == 0 and run.finished_at
    assert {c: row.computed_at for c, row in _stored().items()} == {c: row.computed_at for c, row in before.items()}


def test_at_risk_moves_with_the_date_without_recomputing(cast, agency, clock):
    _night(clock, 10)
    before = _stored()
    assert not any(row.at_risk for row in before.values())  # a visit is planned, 22 days left

    # A cancelled visit changes no result, but the case is at risk from the next night on.
    scheduled_visits_cancel(user=cast.worker, case=agency[0], reason="Family away")
    _night(clock, 11)
    assert {c for c, row in _stored().items() if row.at_risk} == {agency[0].pk}
    assert Alert.objects.filter(kind="at_risk", case=agency[0], resolved_at__isnull=True).exists()

    # On the 30th, two days are left: one visit still needed is at risk even though planned.
    ScheduledVisit.objects.filter(status="planned").update(scheduled_for=dt.date(2026, 3, 31))
    run = _night(clock, 30)
    after = _stored()
    assert run.cases_processed == 0
    assert all(row.at_risk for row in after.values())
    assert {c: row.computed_at for c, row in after.items()} == {c: row.computed_at for c, row in before.items()}
    assert Alert.objects.filter(kind="at_risk", resolved_at__isnull=True).count() == 3


def test_a_visit_made_clears_at_risk_by_its_recompute(cast, agency, clock):
    ScheduledVisit.objects.all().delete()
    _night(clock, 10)
    assert all(row.at_risk for row in _stored().values())  # visits needed, none planned
    clock.move_to(dt.datetime(2026, 3, 10, 11, 0, tzinfo=AGENCY))
    _visit(cast.worker, agency[0], timezone.now() - dt.timedelta(hours=1))
    _night(clock, 11)
    assert {c for c, row in _stored().items() if row.at_risk} == {agency[1].pk, agency[2].pk}
    assert not Alert.objects.filter(kind="at_risk", case=agency[0], resolved_at__isnull=True).exists()


def test_a_new_case_and_a_new_month_are_computed(cast, agency, clock):
    _night(clock, 10)
    newcomer = make_family_case(cast.worker, risk="low", children=1, opened_on=dt.date(2026, 3, 10))
    run = _night(clock, 11)
    assert run.cases_processed == 1 and set(_stored()) == {c.pk for c in agency} | {newcomer.pk}
    clock.move_to(dt.datetime(2026, 4, 1, 2, 0, tzinfo=AGENCY))
    april = ComplianceRun.objects.get(pk=tasks.nightly_compliance())
    assert april.month == dt.date(2026, 4, 1) and april.cases_processed == 4
    assert len(_stored(dt.date(2026, 4, 1))) == 4


def test_a_rule_setting_change_makes_the_next_nightly_run_recompute_all(agency, clock, settings):
    _night(clock, 10)
    before = _stored()
    settings.AT_RISK_DAYS_PER_VISIT = settings.AT_RISK_DAYS_PER_VISIT + 1
    assert {row.rules_fingerprint for row in before.values()} != {rules_fingerprint()}
    run = _night(clock, 11)
    assert run.cases_processed == 3
    after = _stored()
    assert all(after[c].computed_at > before[c].computed_at for c in before)
    assert {row.rules_fingerprint for row in after.values()} == {rules_fingerprint()}
    assert _night(clock, 12).cases_processed == 0  # and then only what changes again


def test_a_change_of_the_rules_code_makes_every_result_out_of_date(agency, clock, monkeypatch):
    from contacts import results

    _night(clock, 10)
    assert not cases_needing_recompute(Case.objects.all(), MARCH).exists()
    monkeypatch.setattr(results, "_code_digest", lambda: b"a deploy with another table")
    assert cases_needing_recompute(Case.objects.all(), MARCH).count() == 3


def test_the_month_close_and_recompute_now_still_recompute_every_case(cast, agency, clock):
    _night(clock, 10)
    before = _stored()
    clock.move_to(dt.datetime(2026, 3, 11, 9, 0, tzinfo=AGENCY))
    run = compliance.run_start(kind="manual", month=MARCH, by=cast.administrator)
    for team_id in compliance.run_chunks(run):
        compliance.chunk_process(run_id=run.pk, team_id=team_id)
    run.refresh_from_db()
    assert run.cases_processed == 3 and run.total_chunks == 2  # one chunk per team, as before
    assert all(row.computed_at > before[c].computed_at for c, row in _stored().items())


def test_renaming_a_person_invalidates_the_months_that_name_them(cast, agency, clock):
    _night(clock, 10)
    child = agency[0].children[0].person
    assert agency[0].pk not in set(cases_needing_recompute(Case.objects.all(), MARCH).values_list("pk", flat=True))
    child.refresh_from_db()
    child.given_name = "Renamed"
    person_save(user=cast.worker, person=child, case=agency[0], lock_version=child.lock_version)
    assert set(cases_needing_recompute(Case.objects.all(), MARCH).values_list("pk", flat=True)) == {agency[0].pk}
    run = _night(clock, 11)
    assert run.cases_processed == 0  # the catch-up recomputed it before the run
    names = {line["person_name"] for line in _stored()[agency[0].pk].lines}
    assert "Renamed" in names


def test_a_nightly_run_puts_teams_together_until_enough_of_their_cases_need_computing(cast, agency, clock,
                                                                                    monkeypatch):
    monkeypatch.setattr(compliance, "NIGHTLY_CHUNK_CASES", 2)
    first = _night(clock, 10)  # nothing stored: team A's two cases fill a chunk, team B's one the next
    assert list(first.chunks.order_by("team_id").values_list("team_id", "cases_processed")) == [
        (cast.team_a.pk, 2), (cast.team_b.pk, 1)]
    ScheduledVisit.objects.filter(case=agency[2]).delete()  # team B's case: at risk from tonight
    second = _night(clock, 11)  # nothing to compute: one chunk covers both teams
    assert list(second.chunks.values_list("team_id", "cases_processed")) == [(cast.team_a.pk, 0)]
    assert second.finished_at and {c for c, row in _stored().items() if row.at_risk} == {agency[2].pk}
