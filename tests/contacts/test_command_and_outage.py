"""The contact_compliance command prints the same evaluation the pages store, and a broker
outage never loses a contact nor the recompute it needs."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case
from contacts import rules, tasks
from contacts.compliance import pending_recomputes_catch_up
from contacts.models import CaseMonth, Contact, PendingRecompute
from contacts.recompute import case_months_recompute, pending_recomputes_done
from contacts.services import ContactInput, contact_record


def test_command_prints_the_same_evaluation_as_the_case_page(client, cast, family, capsys):
    contact = contact_record(user=cast.worker, case=family, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=family.children))
    month = timezone.localdate().strftime("%Y-%m")
    call_command("contact_compliance", family.reference, month, "--json")
    printed = json.loads(capsys.readouterr().out)
    client.force_login(cast.worker)
    client.get(f"/cases/{family.reference}/")
    stored = CaseMonth.objects.get(case=family)
    assert printed["lines"] == stored.lines and printed["status"] == stored.status
    assert contact.pk in printed["lines"][0]["counted"]
    call_command("contact_compliance", family.reference, month)
    text = capsys.readouterr().out
    assert f"Face-to-face with {family.children[0].person.given_name}: 1 of 2 — short by 1" in text


def test_command_refuses_unknown_case_and_bad_month(family):
    with pytest.raises(CommandError, match="No case"):
        call_command("contact_compliance", "NOPE-1", "2026-01")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("contact_compliance", family.reference, "January")


def _broker_down(*args, **kwargs):
    raise ConnectionRefusedError("Redis is not answering")


def test_a_broker_outage_still_saves_the_contact(cast, family, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.recompute_case_months, "delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_record(user=cast.worker, case=family, data=ContactInput(
            occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=family.children))
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not CaseMonth.objects.exists()
    pending = PendingRecompute.objects.get()  # saved with the contact: the nightly run will find it
    assert (pending.case_id, pending.month, pending.requested_by) == (family.pk, timezone.localdate().replace(day=1),
                                                                       cast.worker)


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_a_late_contact_saved_while_the_broker_was_down_amends_its_closed_month_at_the_next_nightly_run(
        cast, family, monkeypatch, django_capture_on_commit_callbacks):
    last_month = rules.add_months(timezone.localdate().replace(day=1), -1)
    case_months_recompute(cases=Case.objects.filter(pk=family.pk), month=last_month)
    CaseMonth.objects.filter(case=family, month=last_month).update(closed_at=timezone.now(),
                                                                   result_at_close={"status": "short"})
    monkeypatch.setattr(tasks.recompute_case_months, "delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        contact_record(user=cast.worker, case=family, data=ContactInput(
            occurred_at=_at(last_month + dt.timedelta(days=9)), kind="face_to_face", made_by=cast.worker,
            participants=family.children))
    closed = CaseMonth.objects.get(case=family, month=last_month)
    assert closed.amended_at is None  # nothing recomputed yet
    # Hours later, the broker is back and the nightly run starts.
    PendingRecompute.objects.update(requested_at=timezone.now() - dt.timedelta(hours=3))
    monkeypatch.undo()
    tasks.nightly_compliance()
    closed.refresh_from_db()
    assert closed.amended_by == cast.worker and closed.result_at_close == {"status": "short"}
    child = next(line for line in closed.lines if line["code"] == "f2f" and line["role"] == "child")
    assert child["achieved"] == 1
    assert not PendingRecompute.objects.exists()


def test_the_queued_recompute_clears_its_request_but_not_a_newer_one(cast, family, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contact_record(user=cast.worker, case=family, data=ContactInput(
            occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=family.children))
    assert CaseMonth.objects.filter(case=family).exists() and not PendingRecompute.objects.exists()

    month = timezone.localdate().replace(day=1)
    started = timezone.now()
    PendingRecompute.objects.create(case=family, month=month, requested_at=started + dt.timedelta(seconds=1))
    assert pending_recomputes_done(case_ids=[family.pk], months=[month], requested_until=started) == 0
    assert PendingRecompute.objects.filter(case=family, month=month).exists()


def test_a_request_younger_than_the_grace_period_is_left_to_its_queued_task(cast, family):
    PendingRecompute.objects.create(case=family, month=timezone.localdate().replace(day=1), requested_at=timezone.now())
    assert pending_recomputes_catch_up() == 0
    assert PendingRecompute.objects.exists() and not CaseMonth.objects.exists()


def test_a_failing_catch_up_does_not_stop_the_nightly_run(cast, family, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug in one old case-month")

    monkeypatch.setattr(tasks.compliance, "pending_recomputes_catch_up", broken)
    tasks.nightly_compliance()
    assert CaseMonth.objects.filter(case=family, month=timezone.localdate().replace(day=1)).exists()
