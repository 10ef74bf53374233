"""What the inbound endpoint refuses outright, storing nothing: a body over the size limit
(413), a received_at that is not a plausible date and time (400), and a message id the
sender already used for a different message (409). An exact repeat stays idempotent."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from responses.models import InboundMessage, InboundStatus, Response
from tests.responses.conftest import inbound

pytestmark = pytest.mark.django_db


def _message(case, **extra):
    return {"message_id": "IJIS-2001", "kind": "court_alert", "case_reference": case.reference,
            "summary": "Father charged with assault", **extra}


def _nothing_stored():
    return not InboundMessage.objects.exists() and not Response.objects.exists()


# --- size -----------------------------------------------------------------------------------------

def test_a_30_mb_body_answers_413_and_nothing_is_stored(client, system, family):
    body = json.dumps(_message(family, details="x" * (30 * 1024 * 1024)))
    answer = inbound(client, system.token, body)
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/json"
    detail = answer.json()["detail"]
    assert "too large" in detail and "2621440" in detail
    assert _nothing_stored()


def test_the_limit_is_a_setting_and_a_body_within_it_is_received(client, system, family, settings):
    body = json.dumps(_message(family))
    settings.REQUEST_BODY_MAX_BYTES = len(body.encode())
    assert inbound(client, system.token, body).status_code == 201
    settings.REQUEST_BODY_MAX_BYTES = len(body.encode()) - 1
    again = json.dumps(_message(family, message_id="IJIS-2002"))
    assert inbound(client, system.token, again).status_code == 413
    assert InboundMessage.objects.count() == 1


def test_the_limit_covers_the_whole_api_and_the_pages(client, cast, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    client.force_login(cast.worker)
    answer = client.post("/api/cases/", json.dumps({"summary": "x" * 2000}), content_type="application/json")
    assert answer.status_code == 413 and "too large" in answer.json()["detail"]
    assert client.post("/session/keepalive/", {"padding": "x" * 2000}).status_code == 413


# --- received_at ------------------------------------------------------------------------------------

@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00", "2999-01-01T09:00:00+10:00",
                                         "1899-12-31T23:59:59+10:00"])
def test_a_received_at_outside_a_plausible_range_answers_400_and_nothing_is_stored(client, system, family,
                                                                                   received_at):
    answer = inbound(client, system.token, json.dumps(_message(family, received_at=received_at)))
    assert answer.status_code == 400, answer.content
    detail = answer.json()["detail"]
    assert "received_at" in detail and received_at in detail
    assert _nothing_stored()


def test_a_received_at_an_hour_ahead_is_refused_but_a_sender_clock_a_little_ahead_is_not(client, system, family):
    ahead = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    answer = inbound(client, system.token, json.dumps(_message(family, received_at=ahead)))
    assert answer.status_code == 400 and "in the future" in answer.json()["detail"]
    slightly = (timezone.now() + dt.timedelta(minutes=2)).isoformat()
    answer = inbound(client, system.token, json.dumps(_message(family, received_at=slightly)))
    assert answer.status_code == 201, answer.content
    assert InboundMessage.objects.get().response.received_at == dt.datetime.fromisoformat(slightly)


@pytest.mark.parametrize("received_at", ["yesterday", "2026-02-30T10:00:00", 20260101, "9999-12-31T23:59:59-05:00"])
def test_a_received_at_that_is_not_a_date_and_time_answers_400(client, system, family, received_at):
    answer = inbound(client, system.token, json.dumps(_message(family, received_at=received_at)))
    assert answer.status_code == 400, answer.content
    assert "received_at" in answer.json()["detail"]
    assert _nothing_stored()


def test_a_corrected_received_at_can_be_sent_again_under_the_same_message_id(client, system, family):
    assert inbound(client, system.token, json.dumps(_message(family, received_at="2999-01-01T00:00:00Z"))
                   ).status_code == 400
    fixed = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    assert inbound(client, system.token, json.dumps(_message(family, received_at=fixed))).status_code == 201


def test_the_received_at_served_back_is_the_one_sent(client, cast, system, family):
    received = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)
    inbound(client, system.token, json.dumps(_message(family, received_at=received.isoformat())))
    client.force_login(cast.worker)
    response = client.get(f"/api/responses/{InboundMessage.objects.get().response_id}/")
    assert response.status_code == 200
    assert dt.datetime.fromisoformat(response.json()["received_at"]) == received


# --- message_id --------------------------------------------------------------------------------------

def test_an_exact_repeat_gets_the_same_answer_as_the_first_time(client, system, family):
    first = inbound(client, system.token, json.dumps(_message(family)))
    # The same content, differently spelt JSON (key order, spacing), is the same message.
    again = inbound(client, system.token, json.dumps(dict(reversed(list(_message(family).items()))), indent=2))
    assert first.status_code == 201 and again.status_code == 200
    body, repeat = first.json(), again.json()
    assert repeat.pop("repeat") is True and body.pop("repeat") is False
    assert repeat == body
    assert InboundMessage.objects.count() == 1 and Response.objects.count() == 1


def test_a_reused_message_id_with_different_content_answers_409_and_changes_nothing(client, system, family):
    assert inbound(client, system.token, json.dumps(_message(family))).status_code == 201
    stored = InboundMessage.objects.get()
    answer = inbound(client, system.token, json.dumps(_message(family, summary="Mother charged with assault")))
    assert answer.status_code == 409, answer.content
    detail = answer.json()["detail"]
    assert "IJIS-2001" in detail and "different" in detail and "new message_id" in detail
    assert InboundMessage.objects.count() == 1 and Response.objects.count() == 1
    stored.refresh_from_db()
    assert stored.payload["summary"] == "Father charged with assault"


def test_a_message_kept_for_review_is_repeated_as_kept_and_cannot_be_replaced_under_its_id(client, system, family):
    unknown = _message(family, case_reference="NOPE-1")
    first = inbound(client, system.token, json.dumps(unknown))
    again = inbound(client, system.token, json.dumps(unknown))
    assert first.status_code == again.status_code == 422
    assert again.json()["detail"] == first.json()["detail"]
    changed = inbound(client, system.token, json.dumps(_message(family)))
    assert changed.status_code == 409
    assert InboundMessage.objects.get().status == InboundStatus.NEEDS_REVIEW and not Response.objects.exists()


# --- the same range when staff record information ------------------------------------------------

def test_the_plausible_range_of_received_at_is_one_rule():
    from responses.rules import received_at_problem

    now = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)
    assert received_at_problem(dt.datetime(1, 1, 1, tzinfo=dt.UTC), now=now).endswith("before 1900.")
    assert received_at_problem(dt.datetime(1900, 1, 1, tzinfo=dt.UTC), now=now) is None
    assert received_at_problem(now + dt.timedelta(minutes=5), now=now) is None
    assert "future" in received_at_problem(now + dt.timedelta(minutes=5, seconds=1), now=now)


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00Z", "2999-01-01T00:00:00Z"])
def test_staff_cannot_record_information_received_at_an_implausible_time_either(client, cast, family, received_at):
    client.force_login(cast.worker)
    answer = client.post("/api/responses/", {"case": family.reference, "kind": "new_concern",
                                             "summary": "School reports bruising", "received_at": received_at},
                         content_type="application/json")
    assert answer.status_code == 400 and "Information cannot" in str(answer.json())
    assert not Response.objects.exists()


def test_a_message_with_nul_characters_is_kept_for_review_not_lost(client, system, cases):
    body = json.dumps({"message_id": "NUL-1", "kind": "court_alert", "case_reference": cases["own"].reference,
                       "summary": "Order\u0000 made", "details": "Stepfather\u0000"})
    answer = inbound(client, system.token, body)
    assert answer.status_code == 422 and "NUL" in answer.json()["detail"]
    message = InboundMessage.objects.get(message_id="NUL-1")
    assert message.status == InboundStatus.NEEDS_REVIEW and message.response is None
    assert message.payload["summary"] == "Order\ufffd made"
    # A raw body that is not JSON, with a NUL in it, is kept too.
    raw = inbound(client, system.token, "not json\u0000 at all", content_type="text/plain")
    assert raw.status_code == 422
    kept = InboundMessage.objects.exclude(message_id="NUL-1").get()
    assert "\x00" not in kept.raw_body and "not json" in kept.raw_body
