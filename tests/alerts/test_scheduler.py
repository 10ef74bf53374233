"""The compliance scheduler: nightly runs in chunks, month close after the grace period,
idempotency and concurrency, early warnings, escalation and the e-mail digest."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, AlertRecipient
from cases.models import Case
from contacts import compliance, rules
from contacts.models import CaseMonth, ComplianceRun
from contacts.services import ContactInput, contact_record
from contacts.tasks import close_due_months, nightly_compliance
from tests.conftest import make_family_case


@pytest.fixture
def agency(cast):
    """Three open cases in two teams (low risk, nothing recorded this month)."""
    return [make_family_case(cast.worker, risk="low", children=1),
            make_family_case(cast.colleague, risk="low", children=1),
            make_family_case(cast.other_team_worker, risk="low", children=1)]


def this_month():
    return timezone.localdate().replace(day=1)


@pytest.mark.parametrize("today,expected", [
    (dt.date(2026, 4, 5), dt.date(2026, 2, 1)),  # March is still in its grace period on 5 April
    (dt.date(2026, 4, 6), dt.date(2026, 3, 1)),  # ... and closes once the 5th is over
    (dt.date(2026, 1, 6), dt.date(2025, 12, 1)),  # across a year end
    (dt.date(2024, 3, 6), dt.date(2024, 2, 1)),  # leap-year February
])
def test_a_month_closes_at_the_end_of_the_grace_period(today, expected):
    assert compliance.month_to_close(today) == expected


def test_nightly_run_computes_every_open_case_in_team_chunks(agency):
    run_id = nightly_compliance()
    run = ComplianceRun.objects.get(pk=run_id)
    assert run.total_chunks == 2 and run.done_chunks == 2 and run.cases_processed == 3
    assert run.finished_at is not None
    assert CaseMonth.objects.filter(month=this_month()).count() == 3


def test_running_twice_on_the_same_day_does_nothing_more(agency):
    first = nightly_compliance()
    assert nightly_compliance() is None  # a second beat instance, or a retry, finds the run
    assert ComplianceRun.objects.count() == 1 and first
    assert CaseMonth.objects.count() == 3


def _close_last_month(agency):
    last = rules.add_months(this_month(), -1)
    for case in agency:
        Case.objects.filter(pk=case.pk).update(opened_on=last.replace(day=1) - dt.timedelta(days=400))
    run = compliance.run_start(kind="month_close", month=last)
    for team_id in compliance.run_chunks(run):
        compliance.chunk_process(run_id=run.pk, team_id=team_id)
    return last


def test_month_close_freezes_results_and_alerts_each_shortfall_once(cast, agency):
    last = _close_last_month(agency)
    closed = CaseMonth.objects.filter(month=last)
    assert closed.count() == 3 and all(r.closed_at and r.result_at_close["status"] == "short" for r in closed)
    shortfalls = Alert.objects.filter(kind="contact_shortfall")
    assert shortfalls.count() == 3
    own = shortfalls.get(case=agency[0])
    assert set(own.recipients.all()) == {cast.worker, cast.leader}
    assert own.title == f"{agency[0].reference}: contact shortfall in {last:%B %Y}"
    # Closing again (another day, a retry) changes nothing and raises no duplicates.
    frozen_at = {r.pk: r.closed_at for r in closed}
    assert compliance.month_freeze(cases=Case.objects.all(), month=last) == 0
    assert {r.pk: r.closed_at for r in CaseMonth.objects.filter(month=last)} == frozen_at
    assert Alert.objects.filter(kind="contact_shortfall").count() == 3
    assert AlertRecipient.objects.filter(alert__kind="contact_shortfall").count() == 6


def test_a_late_contact_that_makes_a_closed_month_compliant_resolves_its_shortfall(cast, agency,
                                                                                  django_capture_on_commit_callbacks):
    last = _close_last_month(agency)
    case = agency[0]
    with django_capture_on_commit_callbacks(execute=True):
        for data in (ContactInput(occurred_at=timezone.make_aware(dt.datetime.combine(last.replace(day=10),
                                                                                       dt.time(10))),
                                  kind="face_to_face", made_by=cast.worker, participants=case.children + case.parents,
                                  location="parent_residence", location_person=case.parents[0].person),
                     ContactInput(occurred_at=timezone.make_aware(dt.datetime.combine(last.replace(day=11),
                                                                                       dt.time(10))),
                                  kind="support", made_by=cast.worker, other_party_name="School principal")):
            late = contact_record(user=cast.worker, case=case, data=data)
    assert late.recorded_late
    result = CaseMonth.objects.get(case=case, month=last)
    assert result.status == "met" and result.result_at_close["status"] == "short"
    assert result.amended_at and result.amended_by == cast.worker
    assert Alert.objects.get(case=case, kind="contact_shortfall").status == "resolved"


def test_close_due_months_task_closes_only_once(agency, monkeypatch):
    last = rules.add_months(this_month(), -1)
    for case in agency:
        Case.objects.filter(pk=case.pk).update(opened_on=last - dt.timedelta(days=400))
    monkeypatch.setattr(compliance, "month_to_close", lambda today: last)
    assert close_due_months() is not None
    assert close_due_months() is None  # nothing left to close
    assert CaseMonth.objects.filter(month=last, closed_at__isnull=False).count() == 3


def test_at_risk_warning_goes_to_caseworker_and_team_leader_and_clears_when_met(cast, agency):
    nightly_compliance()
    warned = Alert.objects.filter(kind="at_risk")  # low risk, nothing planned: visits needed, none planned
    assert warned.count() == 3
    assert set(warned.get(case=agency[0]).recipients.all()) == {cast.worker, cast.leader}
    case = agency[0]
    for kind, extra in (("face_to_face", {"participants": case.children + case.parents,
                                          "location": "parent_residence", "location_person": case.parents[0].person}),
                        ("support", {"other_party_name": "School principal"})):
        contact_record(user=cast.worker, case=case, data=ContactInput(occurred_at=timezone.now(), kind=kind,
                                                                       made_by=cast.worker, **extra))
    ComplianceRun.objects.all().delete()
    compliance.case_months_recompute(cases=Case.objects.all(), month=this_month())
    compliance.warnings_refresh(cases=Case.objects.all(), month=this_month())
    assert Alert.objects.get(case=case, kind="at_risk").status == "resolved"
    assert Alert.objects.get(case=agency[1], kind="at_risk").status == "new"


def test_missing_risk_level_is_flagged_to_caseworker_and_team_leader(cast):
    case = make_family_case(cast.worker, risk=None)
    nightly_compliance()
    alert = Alert.objects.get(kind="risk_level_missing")
    assert alert.case == case and set(alert.recipients.all()) == {cast.worker, cast.leader}
    assert CaseMonth.objects.get(case=case).status == "not_assessable"


def test_unacknowledged_shortfalls_escalate_to_the_offices_manager_after_7_days(cast, agency):
    _close_last_month(agency)
    Alert.objects.filter(case=agency[0]).update(created_at=timezone.now() - dt.timedelta(days=8))
    Alert.objects.filter(case=agency[1]).update(created_at=timezone.now() - dt.timedelta(days=8),
                                                status="acknowledged")
    assert compliance.escalate_shortfalls() == 1
    escalated = Alert.objects.get(case=agency[0], kind="contact_shortfall")
    assert cast.manager in escalated.recipients.all() and escalated.escalated_at
    assert cast.manager not in Alert.objects.get(case=agency[1], kind="contact_shortfall").recipients.all()
    assert compliance.escalate_shortfalls() == 0


def test_daily_digest_names_cases_by_reference_never_a_childs_name(cast, agency):
    from alerts.digest import digests_send

    cast.leader.email = "leader@example.org"
    cast.leader.save()
    _close_last_month(agency)
    assert digests_send() >= 1
    message = next(m for m in mail.outbox if m.to == ["leader@example.org"])
    assert "2 new alerts" in message.body
    assert agency[0].reference in message.body and agency[1].reference in message.body
    for case in agency:
        for member in case.children + case.parents:
            assert member.person.given_name not in message.body
            assert member.person.family_name not in message.body
    sent = len(mail.outbox)
    assert digests_send() == 0 and len(mail.outbox) == sent  # each alert is e-mailed once


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_store_one_result_per_case_month(cast):
    cases = [make_family_case(cast.worker, risk="low", children=1) for _ in range(3)]
    errors = []

    def run():
        try:
            compliance.case_months_recompute(cases=Case.objects.all(), month=this_month())
            compliance.warnings_refresh(cases=Case.objects.all(), month=this_month())
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert CaseMonth.objects.filter(month=this_month()).count() == len(cases)
    assert Alert.objects.filter(kind="at_risk").count() == len(cases)


def test_a_month_still_needs_closing_when_earlier_months_of_its_cases_are_closed(agency, monkeypatch):
    """Seen on main: once a case had any closed month, the next month was never closed."""
    last = rules.add_months(this_month(), -1)
    before = rules.add_months(last, -1)
    for case in agency:
        Case.objects.filter(pk=case.pk).update(opened_on=before - dt.timedelta(days=400))
    compliance.case_months_recompute(cases=Case.objects.all(), month=before)
    compliance.month_freeze(cases=Case.objects.all(), month=before)
    compliance.case_months_recompute(cases=Case.objects.all(), month=last)  # open rows for the month to close
    assert compliance.month_needs_closing(last)
    monkeypatch.setattr(compliance, "month_to_close", lambda today: last)
    assert close_due_months() is not None
    assert CaseMonth.objects.filter(month=last, closed_at__isnull=False).count() == 3
    assert Alert.objects.filter(kind="contact_shortfall", month=last).count() == 3
    assert not compliance.month_needs_closing(last)
