"""Overrides and increased contact: requested by staff, decided by a team leader of the
case's team (never their own request); only an approved request changes the requirement."""

import pytest
from django.utils import timezone

from alerts.models import Alert
from cases.services import CaseworkError
from contacts.models import CaseMonth, Contact, RequirementChange
from contacts.services import requirement_change_decide, requirement_change_request


def month():
    return timezone.localdate().replace(day=1)


def requirement(case, code="f2f", role="child"):
    result = CaseMonth.objects.get(case=case, month=month())
    return next(line for line in result.lines if line["code"] == code and line["role"] == role)


def request_form(kind="override", **counts):
    data = {"kind": kind, "first_month": month().strftime("%Y-%m"), "last_month": month().strftime("%Y-%m"),
            "reason": "Family in hospital for three weeks"}
    data.update({f"count_{k}": str(v) for k, v in counts.items()})
    return data


def test_override_changes_the_requirement_only_once_approved(client, cast, family,
                                                             django_capture_on_commit_callbacks):
    client.force_login(cast.worker)
    client.get(f"/cases/{family.reference}/")  # computes this month
    assert requirement(family)["required"] == 2
    response = client.post(f"/contacts/case/{family.reference}/requests/new/", request_form(f2f_child=1))
    assert response.status_code == 302
    change = RequirementChange.objects.get()
    assert change.status == "pending" and change.counts == {"f2f_child": 1}
    alert = Alert.objects.get(kind="approval_pending")
    assert family.reference in alert.title and list(alert.recipients.all()) == [cast.leader]
    client.get(f"/cases/{family.reference}/")
    assert requirement(family)["required"] == 2  # pending: no change

    client.force_login(cast.leader)
    queue = client.get("/contacts/approvals/").content.decode()
    assert family.reference in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/contacts/requests/{change.pk}/decide/", {"decision": "approve", "comment": "OK"})
    assert response.status_code == 302
    line = requirement(family)
    assert line["required"] == 1 and line["standard"] == 2
    result = CaseMonth.objects.get(case=family, month=month())
    assert result.adjustment["approved_by"] == str(cast.leader)
    assert Alert.objects.get(pk=alert.pk).status == "resolved"
    assert list(client.get("/contacts/approvals/").context["requests"]) == []


def test_rejection_needs_a_comment_and_leaves_the_standard(client, cast, family):
    change = requirement_change_request(user=cast.worker, case=family, kind="override", first_month=month(),
                                        last_month=month(), counts={"support": 0}, reason="Reason")
    with pytest.raises(CaseworkError, match="why"):
        requirement_change_decide(user=cast.leader, change=change, approve=False, comment="")
    requirement_change_decide(user=cast.leader, change=change, approve=False, comment="Not unique enough")
    change.refresh_from_db()
    assert change.status == "rejected" and change.decision_comment == "Not unique enough"
    with pytest.raises(CaseworkError, match="already been decided"):
        requirement_change_decide(user=cast.leader, change=change, approve=True)


def test_nobody_approves_their_own_request(cast, family):
    change = requirement_change_request(user=cast.leader, case=family, kind="increase", first_month=month(),
                                        last_month=month(), counts={"f2f_child": 4}, reason="Weekly visits needed")
    with pytest.raises(CaseworkError, match="own request"):
        requirement_change_decide(user=cast.leader, change=change, approve=True)
    change.refresh_from_db()
    assert change.status == "pending"


def test_only_a_leader_of_the_cases_team_decides(client, cast, family):
    change = requirement_change_request(user=cast.worker, case=family, kind="override", first_month=month(),
                                        last_month=month(), counts={"support": 1}, reason="Reason")
    for user, status in [(cast.colleague, 403), (cast.other_team_leader, 404), (cast.manager, 403)]:
        client.force_login(user)
        assert client.post(f"/contacts/requests/{change.pk}/decide/", {"decision": "approve"}).status_code == status
    change.refresh_from_db()
    assert change.status == "pending"
    for user in (cast.worker, cast.manager, cast.support_officer):
        client.force_login(user)
        assert client.get("/contacts/approvals/").status_code == 404


def test_approved_increase_becomes_the_requirement_and_its_rationale_a_case_note(cast, family,
                                                                               django_capture_on_commit_callbacks):
    change = requirement_change_request(user=cast.worker, case=family, kind="increase", first_month=month(),
                                        last_month=month(), counts={"f2f_child": 4}, reason="Weekly visits after "
                                                                                            "a new concern")
    with django_capture_on_commit_callbacks(execute=True):
        requirement_change_decide(user=cast.leader, change=change, approve=True)
    assert requirement(family)["required"] == 4
    note = Contact.objects.get(case=family, kind="note")
    assert "Weekly visits after a new concern" in note.observations


@pytest.mark.parametrize("kind,counts,message", [
    ("increase", {"f2f_child": 1}, "must be above the standard"),
    ("override", {}, "at least one"),
    ("override", {"bogus": 2}, "Unknown requirement"),
    ("override", {"support": 40}, "between 0 and 31"),
])
def test_bad_requests_are_refused_and_nothing_saved(cast, family, kind, counts, message):
    with pytest.raises(CaseworkError, match=message):
        requirement_change_request(user=cast.worker, case=family, kind=kind, first_month=month(),
                                   last_month=month(), counts=counts, reason="Reason")
    assert not RequirementChange.objects.exists()


def test_request_form_shows_errors_and_keeps_input(client, cast, family):
    client.force_login(cast.worker)
    data = request_form("override")
    data["reason"] = "Typed reason"
    response = client.post(f"/contacts/case/{family.reference}/requests/new/", data)
    assert response.status_code == 200 and "Give at least one adjusted count" in response.content.decode()
    assert "Typed reason" in response.content.decode()
    data = request_form("override", support=1)
    data["last_month"] = "2000-01"
    response = client.post(f"/contacts/case/{family.reference}/requests/new/", data)
    assert "cannot be before the first month" in response.content.decode()
    assert not RequirementChange.objects.exists()


def test_the_request_form_shows_the_standard_and_previews_what_the_request_makes_it(client, cast, family):
    client.force_login(cast.worker)
    first = family.children[0].person.given_name
    page = client.get(f"/contacts/case/{family.reference}/requests/new/").content.decode()
    assert "The standard this month" in page
    assert f"Face-to-face with {first}</td><td>2</td>" in page.replace("\n", "").replace("  ", "")

    preview = client.post(f"/contacts/case/{family.reference}/requests/new/",
                          request_form(f2f_child=1) | {"preview": "1"})
    assert preview.status_code == 200 and not RequirementChange.objects.exists()
    text = preview.content.decode().replace("\n", "").replace("  ", "")
    assert f"Face-to-face with {first}</td><td>2</td><td>1</td>" in text
    assert 'value="Family in hospital for three weeks"' in text or "Family in hospital for three weeks" in text


def test_the_approver_sees_the_standard_and_what_the_request_makes_it_and_the_case_is_a_link(client, cast, family):
    requirement_change_request(user=cast.worker, case=family, kind="override", first_month=month(),
                               last_month=month(), counts={"f2f_child": 1}, reason="Children away half the month")
    client.force_login(cast.leader)
    text = client.get("/contacts/approvals/").content.decode().replace("\n", "").replace("  ", "")
    first = family.children[0].person.given_name
    assert f"Face-to-face with {first}</td><td>2</td><td>1</td>" in text
    assert f'<a href="{family.get_absolute_url()}">{family.reference}</a>' in text
