"""The contact_compliance command prints the same evaluation the pages store, and a broker
outage never loses a contact."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import CaseMonth, Contact
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


def test_a_broker_outage_still_saves_the_contact(cast, family, monkeypatch, django_capture_on_commit_callbacks):
    from contacts import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Redis is not answering")

    monkeypatch.setattr(tasks.recompute_case_months, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_record(user=cast.worker, case=family, data=ContactInput(
            occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=family.children))
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not CaseMonth.objects.exists()  # the nightly run catches up
