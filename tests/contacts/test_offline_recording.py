"""Contacts sent by the offline recording page (issue 16): an Idempotency-Key makes a contact
sent twice saved once; a contact whose case changed while the worker was offline is refused,
with nothing saved, and what was typed is kept as one draft wherever the worker may still
record on the case."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case
from contacts.models import Contact, ContactDraft
from contacts.services import draft_save
from tests.conftest import make_family_case
from tests.contacts.test_access_and_api import _api_visit

pytestmark = pytest.mark.django_db


def _post(client, body, key):
    return client.post("/api/contacts/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(key))


def test_the_same_key_sent_again_answers_the_saved_contact_and_saves_nothing_more(client, cast, family):
    client.force_login(cast.worker)
    key, body = uuid.uuid4(), _api_visit(family)
    first = _post(client, body, key)
    assert first.status_code == 201, first.content
    again = _post(client, body, key)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] == Contact.objects.get().pk
    assert Contact.objects.get().idempotency_key == key


def test_the_same_key_with_another_body_is_a_conflict_and_saves_nothing(client, cast, family):
    client.force_login(cast.worker)
    key = uuid.uuid4()
    saved = _post(client, _api_visit(family), key).json()["id"]
    response = _post(client, _api_visit(family, observations="Something else entirely."), key)
    assert response.status_code == 409
    assert response.json()["contact"] == saved and "already used for another contact" in response.json()["detail"]
    assert Contact.objects.count() == 1 and not ContactDraft.objects.exists()


def test_keys_are_per_author_and_contacts_without_a_key_are_unaffected(client, cast, family):
    key = uuid.uuid4()
    client.force_login(cast.worker)
    assert _post(client, _api_visit(family), key).status_code == 201
    client.force_login(cast.colleague)
    assert _post(client, _api_visit(family, made_by=cast.colleague.pk), key).status_code == 201
    for _ in range(2):
        assert client.post("/api/contacts/", _api_visit(family), content_type="application/json").status_code == 201
    assert Contact.objects.count() == 4


@pytest.mark.parametrize("key", ["", "not-a-uuid", "1234", "\u00e9" * 36])
def test_a_key_that_is_not_a_uuid_is_refused_with_the_reason(client, cast, family, key):
    client.force_login(cast.worker)
    response = client.post("/api/contacts/", _api_visit(family), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "must be a UUID" in response.json()["detail"]
    assert not Contact.objects.exists() and not ContactDraft.objects.exists()


def test_the_database_refuses_a_second_contact_of_one_author_with_one_key(cast, family):
    key = uuid.uuid4()
    first = Contact.objects.create(case=family, occurred_at=timezone.now(), kind="face_to_face", maker_role="caseworker",
                                   made_by=cast.worker, author=cast.worker, recorded_at=timezone.now(),
                                   idempotency_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(case=family, occurred_at=timezone.now(), kind="face_to_face", maker_role="caseworker",
                               made_by=cast.worker, author=cast.worker, recorded_at=timezone.now(),
                               idempotency_key=key)
    assert list(Contact.objects.all()) == [first]


def test_two_sends_racing_with_one_key_save_one_contact(client, cast, family, monkeypatch):
    """The second request looked before the first had saved: the database's constraint decides."""
    from contacts import selectors

    client.force_login(cast.worker)
    key, body = uuid.uuid4(), _api_visit(family)
    assert _post(client, body, key).status_code == 201
    real, calls = selectors.contact_by_idempotency_key, []

    def looked_too_early(user, key):
        calls.append(key)
        return None if len(calls) == 1 else real(user, key)

    monkeypatch.setattr(selectors, "contact_by_idempotency_key", looked_too_early)
    response = _post(client, body, key)
    assert response.status_code == 200 and response.json()["id"] == Contact.objects.get().pk and len(calls) == 2


def test_a_member_who_left_before_the_visit_refuses_it_and_keeps_one_draft_however_often_sent(client, cast, family):
    """The case changed while the worker was offline (a member's leaving was recorded back-dated)."""
    visit_day = timezone.localdate() - dt.timedelta(days=1)
    leaver = family.children[0]
    leaver.left_on = visit_day - dt.timedelta(days=3)
    leaver.save()
    client.force_login(cast.worker)
    key = uuid.uuid4()
    body = _api_visit(family, occurred_at=(timezone.now() - dt.timedelta(days=1)).isoformat())
    for _ in range(2):  # the answer was lost and the page sent it again
        response = _post(client, body, key)
        assert response.status_code == 400 and "did not belong to the case" in response.json()["participants"][0]
    draft = ContactDraft.objects.get()
    assert response.json()["draft"]["id"] == draft.pk and draft.data["observations"] == "Seen at home."
    assert draft.data["idempotency_key"] == str(key)
    assert not Contact.objects.exists()


def test_a_case_closed_while_the_worker_was_offline_refuses_the_contact(client, cast, family):
    Case.objects.filter(pk=family.pk).update(closed_on=timezone.localdate(), phase="closed")
    client.force_login(cast.worker)
    response = _post(client, _api_visit(family), uuid.uuid4())
    assert response.status_code == 403 and response.json()["detail"] == "You may not edit this case."
    assert not Contact.objects.exists() and not ContactDraft.objects.exists()


def test_a_case_reallocated_to_another_team_is_refused_as_one_that_does_not_exist(client, cast, family):
    Case.objects.filter(pk=family.pk).update(team=cast.team_b, caseworker=cast.other_team_worker)
    client.force_login(cast.worker)
    response = _post(client, _api_visit(family), uuid.uuid4())
    assert response.status_code == 400
    assert response.json()["case"] == [f"Object with reference={family.reference} does not exist."]
    assert not Contact.objects.exists() and not ContactDraft.objects.exists()


def test_a_repeat_after_the_case_went_out_of_reach_says_it_was_saved_without_showing_it(client, cast, family):
    client.force_login(cast.worker)
    key, body = uuid.uuid4(), _api_visit(family)
    saved = _post(client, body, key).json()["id"]
    Case.objects.filter(pk=family.pk).update(team=cast.team_b, caseworker=cast.other_team_worker)
    response = _post(client, body, key)
    assert response.status_code == 409 and response.json() == {
        "detail": "This contact was already saved, but its case is no longer one you may see; nothing was saved "
                  "again.", "contact": saved, "saved": True}
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("role,status", [("colleague", 201), ("other_team_worker", 400), ("other_office_manager", 400),
                                         ("manager", 403)])
def test_who_may_send_a_keyed_contact(client, cast, family, role, status):
    user = getattr(cast, role)
    client.force_login(user)
    response = _post(client, _api_visit(family), uuid.uuid4())  # made by the requester
    assert response.status_code == status, response.content
    assert Contact.objects.count() == (1 if status == 201 else 0)


def test_a_keyed_contact_needs_a_signed_in_requester(client, family):
    response = _post(client, _api_visit(family), uuid.uuid4())
    assert response.status_code in (401, 403) and not Contact.objects.exists()



def test_the_same_typing_autosaved_twice_without_the_draft_id_is_one_draft(client, cast, family):
    """A beacon as the page closed and the offline page's sync both carry the form's draft_key."""
    client.force_login(cast.worker)
    key = str(uuid.uuid4())
    url = f"/contacts/case/{family.reference}/draft/"
    for text in ("Mother asked about the bus.", "Mother asked about the school bus."):
        assert client.post(url, {"draft": "", "draft_key": key, "observations": text}).status_code == 200
    draft = ContactDraft.objects.get()
    assert draft.data["observations"] == "Mother asked about the school bus." and draft.data["draft_key"] == key
    # Another typing (another key), or another worker with the same key, is another draft.
    assert client.post(url, {"draft": "", "draft_key": str(uuid.uuid4()), "observations": "x"}).status_code == 200
    client.force_login(cast.colleague)
    assert client.post(url, {"draft": "", "draft_key": key, "observations": "y"}).status_code == 200
    assert ContactDraft.objects.count() == 3
    assert ContactDraft.objects.get(pk=draft.pk).data["observations"] == "Mother asked about the school bus."


def test_the_same_typing_saved_twice_without_the_drafts_id_is_one_draft_whichever_arrives_first(cast):
    """The beacon as the form closed and the next page's copy of it carry the same draft key."""
    case = make_family_case(cast.worker)
    key = str(uuid.uuid4())
    first = draft_save(user=cast.worker, case=case, data={"draft_key": key, "observations": "Seen at school."})
    again = draft_save(user=cast.worker, case=case, data={"draft_key": key, "observations": "Seen at school."})
    other = draft_save(user=cast.worker, case=case, data={"draft_key": str(uuid.uuid4()), "observations": "Other."})
    assert again.pk == first.pk and other.pk != first.pk
    # Another person's typing with the same key is theirs, never written into this one.
    theirs = draft_save(user=cast.leader, case=case, data={"draft_key": key, "observations": "Mine."})
    assert theirs.pk != first.pk
    first.refresh_from_db()
    assert first.data["observations"] == "Seen at school."
