"""Recording contacts through the form: defaults, validation, drafts, late recording,
the edit lock and addenda — and that the month's stored evaluation follows."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import Addendum, CaseMonth, Contact, ContactDraft, ScheduledVisit
from contacts.services import ContactInput, contact_record
from tests.conftest import make_family_case
from tests.contacts.conftest import visit_form


@pytest.fixture
def worker_client(client, cast):
    client.force_login(cast.worker)
    return client


def this_month():
    return timezone.localdate().replace(day=1)


def test_form_defaults_to_today_the_parents_residence_and_the_childrens_attendance(worker_client, family):
    response = worker_client.get(f"/contacts/case/{family.reference}/new/")
    form = response.context["form"]
    assert form.initial["occurred_on"] == timezone.localdate()
    assert form.initial["location"] == "parent_residence"
    assert form.initial["location_person"] == family.parents[0].person_id
    assert set(form.initial["participants"]) == {c.pk for c in family.children}
    assert form.initial["made_by"] == family.caseworker_id


def test_recording_a_home_visit_counts_toward_this_months_requirement(worker_client, family,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client.post(f"/contacts/case/{family.reference}/new/", visit_form(family))
    assert response.status_code == 302
    contact = Contact.objects.get(case=family)
    assert contact.maker_role == "caseworker" and contact.author_id == family.caseworker_id
    assert not contact.recorded_late
    result = CaseMonth.objects.get(case=family, month=this_month())
    child_line = next(line for line in result.lines if line["code"] == "f2f" and
                      line["member_id"] == family.children[0].pk)
    assert (child_line["achieved"], child_line["required"]) == (1, 2)
    assert child_line["counted"] == [contact.pk]
    page = worker_client.get(f"/cases/{family.reference}/").content.decode()
    assert f"Face-to-face with {family.children[0].person.given_name}" in page
    assert "1 of 2" in page


@pytest.mark.parametrize("change,field,message", [
    ({"occurred_on": "2999-01-01"}, "occurred_on", "cannot be dated in the future"),
    ({"participants": []}, "participants", "needs at least one participant"),
    ({"kind": "support", "other_party_name": ""}, "other_party_name", "Name the person"),
    ({"location_person": ""}, "location_person", "which parent's residence"),
    ({"made_by": "", "provider": ""}, "provider", "Say who made the contact"),
])
def test_bad_input_is_refused_with_a_clear_message_and_the_typed_note_kept(worker_client, family, change, field,
                                                                          message):
    data = visit_form(family, observations="Long note typed at the kitchen table.", **change)
    response = worker_client.post(f"/contacts/case/{family.reference}/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert "Long note typed at the kitchen table." in response.content.decode()
    assert not Contact.objects.exists()
    # Nothing lost: what was typed is also kept as the author's draft.
    assert ContactDraft.objects.get(case=family).data["observations"] == "Long note typed at the kitchen table."


def test_contact_before_the_case_opened_or_after_it_closed_is_refused(worker_client, family):
    before = timezone.localtime().replace(year=family.opened_on.year - 1)
    response = worker_client.post(f"/contacts/case/{family.reference}/new/", visit_form(family, when=before))
    assert "cannot be earlier" in response.context["form"].errors["occurred_on"][0]
    family.closed_on = timezone.localdate() - dt.timedelta(days=3)
    family.save()
    # A closed case cannot be edited at all.
    assert worker_client.post(f"/contacts/case/{family.reference}/new/", visit_form(family)).status_code == 403
    assert not Contact.objects.exists()


def test_participants_from_another_case_are_refused(worker_client, cast, family):
    other = make_family_case(cast.worker)
    data = visit_form(family, participants=[other.children[0]])
    response = worker_client.post(f"/contacts/case/{family.reference}/new/", data)
    assert response.status_code == 200 and "participants" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_another_teams_case_answers_404(client, cast, cases):
    client.force_login(cast.worker)
    case = cases["other_team"]
    assert client.get(f"/contacts/case/{case.reference}/new/").status_code == 404
    assert client.post(f"/contacts/case/{case.reference}/new/", visit_form(case)).status_code == 404
    assert not Contact.objects.exists()


def test_drafts_autosave_never_count_and_are_finished_by_their_author(worker_client, cast, family,
                                                                     django_capture_on_commit_callbacks):
    data = visit_form(family, observations="Half a note")
    response = worker_client.post(f"/contacts/case/{family.reference}/draft/", data)
    draft = ContactDraft.objects.get()
    assert f'value="{draft.pk}"' in response.content.decode()
    data["draft"] = str(draft.pk)
    data["observations"] = "Half a note, then more"
    worker_client.post(f"/contacts/case/{family.reference}/draft/", data)
    assert ContactDraft.objects.count() == 1 and ContactDraft.objects.get().data["observations"].endswith("more")
    # Drafts never count toward the standard.
    result_page = worker_client.get(f"/cases/{family.reference}/").content.decode()
    assert "0 of 2" in result_page
    # Listed for the author only, marked as drafts.
    assert family.reference in worker_client.get("/contacts/drafts/").content.decode()
    worker_client.force_login(cast.colleague)
    assert family.reference not in worker_client.get("/contacts/drafts/").content.decode()
    assert worker_client.get(f"/contacts/case/{family.reference}/new/?draft={draft.pk}").status_code == 404
    worker_client.force_login(cast.worker)
    resumed = worker_client.get(f"/contacts/case/{family.reference}/new/?draft={draft.pk}")
    assert "Half a note, then more" in resumed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        worker_client.post(f"/contacts/case/{family.reference}/new/", data)
    assert Contact.objects.get().observations == "Half a note, then more"
    assert not ContactDraft.objects.exists()


def _working_days_back(n: int) -> dt.date:
    """The day with exactly ``n`` working days after it up to today (weekends and holidays skipped)."""
    from contacts.workdays import is_working_day

    day, counted = timezone.localdate(), 0
    while counted < n:
        counted += is_working_day(day)
        day -= dt.timedelta(days=1)
    return day


def test_a_contact_recorded_more_than_two_working_days_later_is_marked_late(cast, family):
    # Today may be a Sunday: the deadline counts working days, not days.
    at_ten = dt.time(10)
    late = contact_record(user=cast.worker, case=family, data=_visit(family, timezone.make_aware(
        dt.datetime.combine(_working_days_back(3), at_ten))))
    in_time = contact_record(user=cast.worker, case=family, data=_visit(family, timezone.make_aware(
        dt.datetime.combine(_working_days_back(2), at_ten))))
    on_the_day = contact_record(user=cast.worker, case=family, data=_visit(family, timezone.now()))
    assert late.recorded_late
    assert not in_time.recorded_late and not on_the_day.recorded_late


def _visit(case, when):
    return ContactInput(occurred_at=when, kind="face_to_face", made_by=case.caseworker,
                        participants=list(case.children), location="office")


def test_the_author_can_correct_within_24_hours_then_only_addenda(worker_client, cast, family):
    contact = contact_record(user=cast.worker, case=family, data=_visit(family, timezone.now()))
    data = visit_form(family, observations="Corrected facts")
    assert worker_client.post(f"/contacts/{contact.pk}/edit/", data).status_code == 302
    contact.refresh_from_db()
    assert contact.observations == "Corrected facts"
    Contact.objects.filter(pk=contact.pk).update(recorded_at=timezone.now() - dt.timedelta(hours=25))
    response = worker_client.post(f"/contacts/{contact.pk}/edit/", visit_form(family, observations="Too late"))
    assert "locked" in response.content.decode()
    contact.refresh_from_db()
    assert contact.observations == "Corrected facts"
    response = worker_client.post(f"/contacts/{contact.pk}/addendum/", {"text": "Mother later said X.",
                                                                        "reason": "Information received"})
    assert response.status_code == 302
    page = worker_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Corrected facts" in page and "Mother later said X." in page and "Information received" in page


def test_a_colleague_cannot_edit_someone_elses_note_and_an_addendum_needs_a_reason(client, cast, family):
    contact = contact_record(user=cast.worker, case=family, data=_visit(family, timezone.now()))
    client.force_login(cast.colleague)
    response = client.post(f"/contacts/{contact.pk}/edit/", visit_form(family, observations="Changed"))
    assert "Only the person who recorded" in response.content.decode()
    response = client.post(f"/contacts/{contact.pk}/addendum/", {"text": "Something", "reason": ""})
    assert response.status_code == 400 and not Addendum.objects.exists()


def test_next_visit_agreed_becomes_a_scheduled_visit_and_is_done_by_the_next_visit(cast, family):
    first = _visit(family, timezone.now() - dt.timedelta(days=1))
    first.next_visit_on = timezone.localdate()
    contact_record(user=cast.worker, case=family, data=first)
    visit = ScheduledVisit.objects.get(case=family)
    assert visit.status == "planned"
    contact_record(user=cast.worker, case=family, data=_visit(family, timezone.now()))
    visit.refresh_from_db()
    assert visit.status == "done"


def test_timeline_lists_contacts_and_events_and_filters_by_person(worker_client, cast, family):
    with_ava = contact_record(user=cast.worker, case=family, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=[family.children[0]],
        purpose="Saw the first child"))
    contact_record(user=cast.worker, case=family, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=[family.children[1]],
        purpose="Saw the second child"))
    page = worker_client.get(f"/contacts/case/{family.reference}/timeline/").content.decode()
    assert "Saw the first child" in page and "Saw the second child" in page and "Family risk evaluation" in page
    filtered = worker_client.get(f"/contacts/case/{family.reference}/timeline/?person={family.children[0].pk}")
    assert [e.contact for e in filtered.context["entries"]] == [with_ava]


def test_the_correction_form_shows_exactly_what_was_saved(worker_client, cast, family, now_local):
    """Saving the correction form untouched changes nothing: it is filled with the saved
    contact, not with a new contact's defaults (today, now, the children, the mother's home)."""
    mother = family.parents[0]
    earlier = (now_local - dt.timedelta(days=1)).replace(hour=10, minute=15, second=0, microsecond=0)
    with_mother = ContactInput(occurred_at=earlier, kind="face_to_face", mode="in_person", made_by=cast.worker,
                               participants=[mother], location="office", purpose="Office visit",
                               observations="Mother came to the office.")
    contact = contact_record(user=cast.worker, case=family, data=with_mother)
    form = worker_client.get(f"/contacts/{contact.pk}/edit/").context["form"]
    initial = {name: form[name].value() for name in ("occurred_on", "start_time", "participants", "location")}
    assert initial == {"occurred_on": earlier.date(), "start_time": earlier.time(), "participants": [mother.pk],
                       "location": "office"}

    page = worker_client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'value="10:15"' in page and f'value="{earlier.date().isoformat()}"' in page


def test_a_saved_correction_shows_what_changed_before_and_after(worker_client, cast, family):
    contact = contact_record(user=cast.worker, case=family, data=_visit(family, timezone.now()))
    data = visit_form(family, when=timezone.localtime(contact.occurred_at), observations="Corrected facts",
                      participants=family.children[:1], location="office")
    data.pop("location_person")
    assert worker_client.post(f"/contacts/{contact.pk}/edit/", data).status_code == 302
    page = worker_client.get(f"/contacts/{contact.pk}/").content.decode()
    first, second = (str(c.person) for c in family.children)
    assert "Corrections" in page
    assert f"Participants: {first}, {second} → {first}" in page
    assert "Observations and facts: " in page and "→ Corrected facts" in page
    assert str(cast.worker) in page.split("Corrections", 1)[1]


def test_record_a_contact_offers_the_draft_typed_earlier_for_this_case(worker_client, cast, family):
    from contacts.services import draft_save

    draft = draft_save(user=cast.worker, case=family, data={"observations": "Half a note"})
    page = worker_client.get(f"/contacts/case/{family.reference}/new/").content.decode()
    assert "You have an unfinished contact for this case" in page
    assert f'href="/contacts/case/{family.reference}/new/?draft={draft.pk}"' in page
    # Someone else's draft of the same case is not offered.
    other = draft_save(user=cast.colleague, case=family, data={"observations": "Theirs"})
    assert f"?draft={other.pk}" not in worker_client.get(f"/contacts/case/{family.reference}/new/").content.decode()


def test_drafts_do_not_clutter_the_case_timeline(worker_client, cast, family):
    from contacts.services import draft_save

    draft_save(user=cast.worker, case=family, data={"observations": "Half a note"})
    page = worker_client.get(f"/contacts/case/{family.reference}/timeline/").content.decode()
    assert "Unfinished contact" not in page and "Draft contact" not in page

