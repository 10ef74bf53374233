"""The inbound endpoint: token authentication, idempotency, nothing dropped, review page."""

import datetime as dt
import json

import pytest

from responses import services
from responses.models import InboundMessage, InboundStatus, Response
from tests.responses.conftest import inbound


def _body(case, **extra):
    return json.dumps({"message_id": "IJIS-1001", "kind": "court_alert", "case_reference": case.reference,
                       "summary": "Father charged with assault", **extra})


def test_a_court_alert_starts_a_response(client, system, family):
    answer = inbound(client, system.token, _body(family, person_id=family.parents[0].person.pk))
    assert answer.status_code == 201, answer.content
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.ACCEPTED
    response = message.response
    assert response.case == family and response.kind == "court_alert" and response.source == "external"
    assert response.person == family.parents[0].person and response.steps.count() == 6


def test_the_same_message_twice_creates_one_response(client, system, family):
    assert inbound(client, system.token, _body(family)).status_code == 201
    again = inbound(client, system.token, _body(family))
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert Response.objects.count() == 1 and InboundMessage.objects.count() == 1


@pytest.mark.parametrize("header", ["", "Bearer wrong-token", "Token abc", "Bearer"])
def test_without_a_valid_token_nothing_is_stored(client, system, family, header):
    answer = client.post("/api/inbound/", _body(family), content_type="application/json",
                         **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert answer.status_code in (401, 403)
    assert not InboundMessage.objects.exists()


def test_an_inactive_system_is_refused(client, system, family):
    system.active = False
    system.save()
    assert inbound(client, system.token, _body(family)).status_code == 401


def test_staff_sessions_cannot_post_to_the_machine_endpoint(client, cast, family):
    client.force_login(cast.worker)
    assert client.post("/api/inbound/", _body(family), content_type="application/json").status_code in (401, 403)


def test_only_the_hash_of_the_token_is_stored(system):
    assert system.token not in system.token_hash and len(system.token_hash) == 64
    assert services.sending_system_for_token(system.token) == system


@pytest.mark.parametrize("body, problem", [
    ("this is not json", "not a JSON object"),
    (json.dumps({"message_id": "X-2", "kind": "court_alert"}), "Missing: case_reference, summary"),
    (json.dumps({"message_id": "X-3", "kind": "gossip", "case_reference": "R", "summary": "s"}), "Unknown kind"),
    (json.dumps({"message_id": "X-4", "kind": "new_concern", "case_reference": "NOPE-1", "summary": "s"}),
     "Unknown case reference"),
])
def test_malformed_or_unknown_messages_are_kept_for_review(client, cast, system, body, problem):
    answer = inbound(client, system.token, body, content_type="application/json")
    assert answer.status_code == 422
    assert problem in answer.json()["detail"]
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.NEEDS_REVIEW and problem in message.problem
    assert message.payload is not None or message.raw_body == "this is not json"
    assert not Response.objects.exists()


def test_an_unknown_person_is_kept_for_review(client, system, family):
    answer = inbound(client, system.token, _body(family, person_id=999999))
    assert answer.status_code == 422 and "Unknown person" in answer.json()["detail"]
    assert InboundMessage.objects.get().status == InboundStatus.NEEDS_REVIEW


def test_a_team_leader_matches_a_kept_message_to_a_case(client, cast, system, family):
    inbound(client, system.token, json.dumps({"message_id": "X-9", "kind": "court_alert",
                                              "case_reference": "WRONG", "summary": "Order made"}))
    message = InboundMessage.objects.get()
    client.force_login(cast.leader)
    assert client.get("/responses/inbound/").status_code == 200
    page = client.post(f"/responses/inbound/{message.pk}/", {"action": "resolve", "case_reference": "NOT-A-CASE",
                                                             "kind": "court_alert", "summary": "Order made"})
    assert page.status_code == 400 and b"No such case" in page.content and b"NOT-A-CASE" in page.content
    answer = client.post(f"/responses/inbound/{message.pk}/", {"action": "resolve", "case_reference": family.reference,
                                                               "kind": "court_alert", "summary": "Order made"})
    assert answer.status_code == 302
    message.refresh_from_db()
    assert message.status == InboundStatus.RESOLVED and message.response.case == family
    assert message.reviewed_by == cast.leader


def test_dismissing_needs_a_reason_and_keeps_the_message(client, cast, system):
    inbound(client, system.token, "garbage")
    message = InboundMessage.objects.get()
    client.force_login(cast.leader)
    assert client.post(f"/responses/inbound/{message.pk}/", {"action": "dismiss", "note": ""}).status_code == 400
    client.post(f"/responses/inbound/{message.pk}/", {"action": "dismiss", "note": "Test message"})
    message.refresh_from_db()
    assert message.status == InboundStatus.DISMISSED


@pytest.mark.parametrize("role, expected", [("worker", 403), ("manager", 200), ("support_officer", 403),
                                            ("leader", 200), ("administrator", 403)])
def test_only_team_leaders_and_managers_read_inbound_messages(client, cast, system, role, expected):
    inbound(client, system.token, "garbage")
    message = InboundMessage.objects.get()
    client.force_login(getattr(cast, role))
    assert client.get("/responses/inbound/").status_code == expected
    assert client.get(f"/responses/inbound/{message.pk}/").status_code == expected
    assert client.get("/api/inbound-messages/").status_code == expected


def test_matching_is_limited_to_cases_the_reviewer_may_see(client, cast, system, cases):
    inbound(client, system.token, json.dumps({"message_id": "X-10", "kind": "court_alert",
                                              "case_reference": "WRONG", "summary": "Order made"}))
    message = InboundMessage.objects.get()
    # A team leader sees only their teams' cases: they do not learn whether another case
    # exists, and nothing is matched.
    for user, case in ((cast.leader, cases["other_team"]), (cast.leader, cases["other_office"])):
        client.force_login(user)
        page = client.post(f"/responses/inbound/{message.pk}/", {"action": "resolve",
                                                                 "case_reference": case.reference,
                                                                 "kind": "court_alert", "summary": "Order made"})
        assert page.status_code == 400 and b"No such case among the cases you may see" in page.content
    message.refresh_from_db()
    assert message.status == InboundStatus.NEEDS_REVIEW and not Response.objects.exists()


def test_a_sender_without_our_person_id_names_the_person_by_name_and_date_of_birth(client, system, family):
    parent = family.parents[0].person
    parent.date_of_birth = dt.date(1990, 4, 12)
    parent.save()
    who = {"given_name": f" {parent.given_name.upper()} ", "family_name": parent.family_name.lower(),
           "date_of_birth": "1990-04-12"}
    answer = inbound(client, system.token, _body(family, person=who))
    assert answer.status_code == 201, answer.content
    assert InboundMessage.objects.get().response.person == parent


@pytest.mark.parametrize("who, problem", [
    ({"given_name": "Nobody", "family_name": "Here", "date_of_birth": "1990-04-12"}, "Unknown person"),
    ({"given_name": "X", "family_name": "Y"}, "person is missing: date_of_birth"),
    ({"given_name": "X", "family_name": "Y", "date_of_birth": "12/04/1990"}, "not a date"),
    ({"given_name": "X", "family_name": "Y", "date_of_birth": "1990-02-30"}, "not a date"),
    ("Jane Citizen", "person must be an object"),
])
def test_a_person_that_names_no_single_member_is_kept_for_review(client, system, family, who, problem):
    answer = inbound(client, system.token, _body(family, person=who))
    assert answer.status_code == 422 and problem in answer.json()["detail"]
    assert InboundMessage.objects.get().status == InboundStatus.NEEDS_REVIEW and not Response.objects.exists()


def test_two_members_with_the_same_name_and_birthday_are_not_guessed_between(client, system, family):
    twins = [m.person for m in family.children[:2]]
    for child in twins:
        child.given_name, child.family_name, child.date_of_birth = "Alex", "Marlow", dt.date(2016, 5, 1)
        child.save()
    who = {"given_name": "Alex", "family_name": "Marlow", "date_of_birth": "2016-05-01"}
    answer = inbound(client, system.token, _body(family, person=who))
    assert answer.status_code == 422 and "Ambiguous person" in answer.json()["detail"]


def test_a_person_id_and_a_description_of_someone_else_are_kept_for_review(client, system, family):
    parent, child = family.parents[0].person, family.children[0].person
    who = {"given_name": child.given_name, "family_name": child.family_name,
           "date_of_birth": child.date_of_birth.isoformat()}
    answer = inbound(client, system.token, _body(family, person_id=parent.pk, person=who))
    assert answer.status_code == 422 and "different people" in answer.json()["detail"]
