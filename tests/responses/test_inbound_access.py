"""Who reads an inbound message (issue 12, defect 1).

A message matched to a case (accepted, or matched by staff) is seen by whoever may see that
case. A message kept for review that names an existing case is seen by whoever may see that
case. A message naming no case we hold (malformed, unknown reference) could be anyone's: team
leaders and managers read it. Of those, team leaders act (match or dismiss); administrators
and field staff do not read inbound messages at all. The same rule on the pages, the API and
the Django admin; a message one may not read answers 404, like one that does not exist."""

import json

import pytest

from cases.models import Role
from responses.models import InboundMessage, InboundStatus
from tests import factories as f
from tests.responses.conftest import inbound

SECRET_NAME = "Zephyrine"


def _about(case, **extra):
    child = case.children[0].person
    child.given_name = SECRET_NAME
    child.save()
    described = {"given_name": child.given_name, "family_name": child.family_name,
                 "date_of_birth": child.date_of_birth.isoformat()}
    return {"kind": "court_alert", "case_reference": case.reference, "summary": "Stepfather charged with assault",
            "person_id": child.pk, "person": described, **extra}


@pytest.fixture
def office2_leader(cast):
    leader = f.UserFactory(role=Role.TEAM_LEADER, username="leader_c")
    leader.led_teams.add(cast.team_c)
    return leader


@pytest.fixture
def messages(client, system, cases, office2_leader):
    """One message of each kind: matched to the worker's case, matched to another office's
    case, kept for review naming another office's case, and naming no case at all."""
    sent = {
        "matched_own": {"message_id": "M-1", **_about(cases["own"])},
        "matched_other_office": {"message_id": "M-2", **_about(cases["other_office"])},
        "kept_other_office": {"message_id": "M-3", **_about(cases["other_office"], person_id=999_999_999)},
        "kept_unaddressed": {"message_id": "M-4", "kind": "court_alert", "case_reference": "NOPE-1",
                             "summary": "Order made"},
    }
    for body in sent.values():
        inbound(client, system.token, json.dumps(body))
    by_id = {m.message_id: m for m in InboundMessage.objects.all()}
    made = {name: by_id[body["message_id"]] for name, body in sent.items()}
    assert made["matched_own"].status == InboundStatus.ACCEPTED
    assert made["kept_other_office"].status == InboundStatus.NEEDS_REVIEW
    return made


# Which messages each reader sees; everyone else (worker, support officer, administrator) reads none.
READS = {
    "leader": {"matched_own", "kept_unaddressed"},
    "other_team_leader": {"kept_unaddressed"},
    "office2_leader": {"matched_other_office", "kept_other_office", "kept_unaddressed"},
    "manager": {"matched_own", "kept_unaddressed"},
    "other_office_manager": {"matched_other_office", "kept_other_office", "kept_unaddressed"},
}


def _user(cast, office2_leader, role):
    return office2_leader if role == "office2_leader" else getattr(cast, role)


@pytest.mark.parametrize("role", sorted(READS))
def test_a_reader_sees_only_messages_about_cases_they_may_see(client, cast, office2_leader, messages, role):
    client.force_login(_user(cast, office2_leader, role))
    listed = client.get("/responses/inbound/?status=")
    assert listed.status_code == 200
    api_ids = {row["id"] for row in client.get("/api/inbound-messages/").json()["results"]}
    for name, message in messages.items():
        expected = 200 if name in READS[role] else 404
        assert client.get(f"/responses/inbound/{message.pk}/").status_code == expected, (role, name)
        assert client.get(f"/api/inbound-messages/{message.pk}/").status_code == expected, (role, name)
        assert (message.pk in api_ids) == (name in READS[role]), (role, name)
        assert (f">{message.message_id}<" in listed.content.decode()) == (name in READS[role]), (role, name)


def test_another_offices_team_leader_never_sees_the_childs_name(client, cast, office2_leader, messages):
    client.force_login(cast.other_team_leader)
    for url in ("/responses/inbound/?status=", "/api/inbound-messages/",
                f"/responses/inbound/{messages['matched_own'].pk}/",
                f"/api/inbound-messages/{messages['matched_own'].pk}/"):
        assert SECRET_NAME not in client.get(url).content.decode(), url


def test_an_unseen_message_answers_like_a_missing_one(client, cast, messages):
    client.force_login(cast.other_team_leader)
    unseen = client.get(f"/api/inbound-messages/{messages['matched_own'].pk}/")
    missing = client.get("/api/inbound-messages/999999999/")
    assert (unseen.status_code, unseen.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("role", ["worker", "support_officer", "administrator"])
def test_field_staff_and_administrators_read_no_inbound_messages(client, cast, messages, role):
    client.force_login(getattr(cast, role))
    assert client.get("/responses/inbound/").status_code == 403
    assert client.get("/api/inbound-messages/").status_code == 403
    for message in messages.values():
        assert client.get(f"/responses/inbound/{message.pk}/").status_code == 403
        assert client.get(f"/api/inbound-messages/{message.pk}/").status_code == 403


def test_the_admin_site_shows_an_administrator_no_inbound_message(client, cast, messages):
    # As in the demo agency, the administrator is a superuser of the admin site.
    cast.administrator.is_superuser = True
    cast.administrator.save()
    client.force_login(cast.administrator)
    page = client.get("/admin/responses/inboundmessage/")
    assert page.status_code == 200
    for message in messages.values():
        assert f">{message.message_id}<" not in page.content.decode()
        change = client.get(f"/admin/responses/inboundmessage/{message.pk}/change/")
        assert change.status_code == 302 and SECRET_NAME not in change.content.decode()
    history = client.get(f"/admin/responses/inboundmessage/{messages['matched_own'].pk}/history/")
    assert SECRET_NAME not in history.content.decode()


def test_a_manager_reads_a_kept_message_but_does_not_match_or_dismiss_it(client, cast, messages, cases):
    message = messages["kept_unaddressed"]
    client.force_login(cast.manager)
    page = client.get(f"/responses/inbound/{message.pk}/")
    assert page.status_code == 200 and "Start the response" not in page.content.decode()
    for body in ({"action": "dismiss", "note": "Test"},
                 {"action": "resolve", "case_reference": cases["own"].reference, "kind": "court_alert",
                  "summary": "Order made"}):
        assert client.post(f"/responses/inbound/{message.pk}/", body).status_code == 403
    message.refresh_from_db()
    assert message.status == InboundStatus.NEEDS_REVIEW and message.response is None


def test_a_team_leader_cannot_dismiss_a_message_they_may_not_read(client, cast, messages):
    message = messages["kept_other_office"]
    client.force_login(cast.leader)
    assert client.post(f"/responses/inbound/{message.pk}/", {"action": "dismiss", "note": "Not ours"}).status_code == 404
    message.refresh_from_db()
    assert message.status == InboundStatus.NEEDS_REVIEW


def test_the_review_alert_goes_to_the_team_leaders_who_may_read_the_message(client, cast, office2_leader, messages):
    from alerts.models import Alert

    def recipients(message):
        return set(Alert.objects.filter(key=f"inbound:{message.pk}").values_list("recipients__username", flat=True))

    assert recipients(messages["kept_other_office"]) == {"leader_c"}
    assert recipients(messages["kept_unaddressed"]) == {"leader", "leader_b", "leader_c"}


def test_matching_a_message_names_the_person_through_the_case(client, cast, messages, cases):
    """A person number that is not of the chosen case answers like one that does not exist; nothing starts."""
    message = messages["kept_unaddressed"]
    client.force_login(cast.leader)
    outsider = cases["other_office"].children[0].person
    for person_id in (outsider.pk, 999_999_999):
        page = client.post(f"/responses/inbound/{message.pk}/", {
            "action": "resolve", "case_reference": cases["own"].reference, "kind": "court_alert",
            "summary": "Order made", "person_id": person_id})
        assert page.status_code == 400 and "No such person in that case." in page.content.decode(), person_id
    message.refresh_from_db()
    assert message.status == InboundStatus.NEEDS_REVIEW and message.response is None


def test_the_inbound_lists_query_count_does_not_grow_with_messages(client, cast, system, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.leader)
    sent = 0

    def count(n):
        nonlocal sent
        for _ in range(n):
            sent += 1
            inbound(client, system.token, json.dumps({"message_id": f"Q-{sent}", **_about(cases["own"])}))
            inbound(client, system.token, json.dumps({"message_id": f"R-{sent}", "kind": "court_alert",
                                                      "case_reference": "NOPE", "summary": "s"}))
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/responses/inbound/?status=").status_code == 200
            assert client.get("/api/inbound-messages/").status_code == 200
        return len(captured)

    assert count(2) == count(8)
