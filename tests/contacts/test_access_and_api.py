"""Who may see and do what with contacts (pages and API), the API's bad-input answers,
and query counts of the list pages."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from contacts.models import Contact, ContactDraft
from contacts.services import ContactInput, contact_record
from tests.cases.test_access import EDITORS, POSITIONS, VISIBLE
from tests.conftest import make_family_case


def _expected(role, position, needed):
    if position not in VISIBLE[role]:
        return 404
    return 200 if needed == "view" or role in EDITORS else 403


@pytest.mark.parametrize("role", list(VISIBLE))
@pytest.mark.parametrize("position", POSITIONS)
def test_contact_pages_by_role_and_case_position(client, cast, cases, role, position):
    case = cases[position]
    contact = contact_record(user=case.caseworker, case=case, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=case.caseworker, participants=case.children))
    client.force_login(getattr(cast, role))
    month = timezone.localdate().strftime("%Y-%m")
    pages = [
        ("view", f"/contacts/case/{case.reference}/timeline/"),
        ("view", f"/contacts/{contact.pk}/"),
        ("view", f"/api/contacts/{contact.pk}/"),
        ("view", f"/api/cases/{case.reference}/compliance/{month}/"),
        ("edit", f"/contacts/case/{case.reference}/new/"),
    ]
    from contacts.selectors import ensure_month_result

    ensure_month_result(case, timezone.localdate())
    pages.append(("view", f"/contacts/case/{case.reference}/month/{month}/"))
    if role in ("worker", "colleague", "leader", "other_team_worker", "other_team_leader"):
        pages.append(("edit", f"/contacts/case/{case.reference}/requests/new/"))
    for needed, url in pages:
        assert client.get(url).status_code == _expected(role, position, needed), (role, position, url)
    expected = _expected(role, position, "edit")
    response = client.post(f"/contacts/{contact.pk}/addendum/", {"text": "Extra", "reason": "Because"})
    assert response.status_code == (302 if expected == 200 else expected)


def test_only_the_author_corrects_a_contact_within_the_window(client, cast, cases):
    case = cases["own"]
    contact = contact_record(user=cast.worker, case=case, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=case.children))
    client.force_login(cast.worker)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 200
    client.force_login(cast.colleague)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 302  # sent back with a message
    for outsider in (cast.other_team_worker, cast.other_office_manager, cast.administrator):
        client.force_login(outsider)
        assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 404
    client.force_login(cast.manager)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 403


def test_support_officers_and_managers_cannot_request_overrides(client, cast, cases):
    case = cases["own"]
    client.force_login(cast.support_officer)
    assert client.get(f"/contacts/case/{case.reference}/requests/new/").status_code == 403
    client.force_login(cast.manager)
    assert client.get(f"/contacts/case/{case.reference}/requests/new/").status_code == 403


def test_my_visits_lists_only_my_cases(client, cast, cases):
    from contacts.models import ScheduledVisit

    for case in cases.values():
        ScheduledVisit.objects.create(case=case, scheduled_for=timezone.localdate())
    client.force_login(cast.worker)
    visits = client.get("/contacts/visits/").context["visits"]
    assert [v.case for v in visits] == [cases["own"]]


def test_contact_lists_show_only_visible_cases(client, cast, cases):
    for case in cases.values():
        contact_record(user=case.caseworker, case=case, data=ContactInput(
            occurred_at=timezone.now(), kind="face_to_face", made_by=case.caseworker, participants=case.children))
    client.force_login(cast.other_team_worker)
    rows = client.get("/api/contacts/").json()["results"]
    assert {row["case"] for row in rows} == {cases["other_team"].reference}


def test_drafts_of_others_are_invisible(client, cast, family):
    draft = ContactDraft.objects.create(case=family, author=cast.colleague, data={"observations": "x"})
    client.force_login(cast.worker)
    assert client.post(f"/contacts/drafts/{draft.pk}/discard/").status_code == 404
    assert ContactDraft.objects.filter(pk=draft.pk).exists()


def _api_visit(case, **changes):
    data = {
        "case": case.reference, "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "kind": "face_to_face", "location": "parent_residence", "location_person": case.parents[0].person_id,
        "participants": [{"member": m.pk, "seen_alone": m.role == "child"} for m in case.children + case.parents],
        "observations": "Seen at home.",
    }
    data.update(changes)
    return data


def test_api_creates_a_contact_with_token_auth_and_the_evaluation_counts_it(client, cast, family,
                                                                           django_capture_on_commit_callbacks):
    token = Token.objects.create(user=cast.worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/contacts/", _api_visit(family), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert contact.made_by == cast.worker and contact.participants.filter(seen_alone=True).count() == 2
    month = timezone.localdate().strftime("%Y-%m")
    result = client.get(f"/api/cases/{family.reference}/compliance/{month}/",
                        HTTP_AUTHORIZATION=f"Token {token.key}").json()
    child_line = next(line for line in result["lines"] if line["member_id"] == family.children[0].pk)
    assert child_line["counted"] == [contact.pk] and result["month"] == month


@pytest.mark.parametrize("changes,field", [
    ({"occurred_at": "2999-01-01T10:00:00+10:00"}, "occurred_at"),
    ({"participants": []}, "participants"),
    ({"kind": "support"}, "other_party_name"),
    ({"kind": "teleport"}, "kind"),
])
def test_api_bad_input_answers_400_and_saves_nothing(client, cast, family, changes, field):
    client.force_login(cast.worker)
    response = client.post("/api/contacts/", _api_visit(family, **changes), content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert not Contact.objects.exists()


def test_a_contact_the_api_refuses_is_kept_as_a_draft_to_finish_on_the_page(client, cast, family):
    client.force_login(cast.worker)
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    data = _api_visit(family, occurred_at=tomorrow.isoformat(), observations="Both children\x00 seen in the yard.",
                      safety_concerns="Dog off its chain.")
    response = client.post("/api/contacts/", data, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["observations"] == ["Null characters are not allowed."]
    draft = ContactDraft.objects.get(author=cast.worker, case=family)
    assert response.json()["draft"] == {"id": draft.pk,
                                        "url": f"/contacts/case/{family.reference}/new/?draft={draft.pk}"}
    assert not Contact.objects.exists()
    # The form opens with what was sent: the text (without the NUL), the day, the time, who took part.
    page = client.get(response.json()["draft"]["url"]).content.decode()
    assert "Both children seen in the yard." in page and "Dog off its chain." in page
    assert f'value="{tomorrow:%Y-%m-%d}"' in page and f'value="{tomorrow:%H:%M}"' in page
    assert draft.data["participants"] == [str(m.pk) for m in family.children + family.parents]
    assert draft.data["seen_alone"] == [str(m.pk) for m in family.children]


def test_no_draft_when_nothing_was_typed_or_the_case_is_not_the_requesters(client, cast, family, cases):
    client.force_login(cast.worker)
    response = client.post("/api/contacts/", _api_visit(family, kind="teleport", observations=""),
                           content_type="application/json")
    assert response.status_code == 400 and "draft" not in response.json()
    response = client.post("/api/contacts/", _api_visit(cases["other_team"], kind="teleport"),
                           content_type="application/json")
    assert response.status_code == 400 and "draft" not in response.json()
    response = client.post("/api/contacts/", {**_api_visit(family), "case": family.reference + "\x00"},
                           content_type="application/json")
    assert response.status_code == 400 and "draft" not in response.json()
    assert not ContactDraft.objects.exists()


def test_api_refuses_foreign_participants_and_invisible_cases(client, cast, family, cases):
    client.force_login(cast.worker)
    other = make_family_case(cast.worker)
    data = _api_visit(family, participants=[{"member": other.children[0].pk}])
    assert client.post("/api/contacts/", data, content_type="application/json").status_code == 400
    hidden = cases["other_team"]
    response = client.post("/api/contacts/", _api_visit(hidden), content_type="application/json")
    # Exactly as for a case that does not exist (issue 12).
    assert response.status_code == 400 and response.json()["case"] == [
        f"Object with reference={hidden.reference} does not exist."]
    assert not Contact.objects.exists()


def test_api_evaluation_of_a_month_outside_the_case_is_404(client, cast, family):
    client.force_login(cast.worker)
    assert client.get(f"/api/cases/{family.reference}/compliance/2999-01/").status_code == 404
    assert client.get(f"/api/cases/{family.reference}/compliance/not-a-month/").status_code == 404


def test_my_cases_query_count_does_not_grow_with_cases(client, cast):
    client.force_login(cast.worker)

    def count_queries(n):
        for _ in range(n):
            make_family_case(cast.worker)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cases/").status_code == 200
        return len(captured)

    small = count_queries(2)
    assert count_queries(10) == small


def test_timeline_query_count_does_not_grow_with_contacts(client, cast, family):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.worker)

    def count(n):
        for _ in range(n):
            contact_record(user=cast.worker, case=family, data=ContactInput(
                occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=family.children))
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/contacts/case/{family.reference}/timeline/")
        return len(captured)

    assert count(2) == count(8)


def test_record_alerts_show_on_the_contact_form_and_the_visit_list(client, cast, family):
    from contacts.models import ScheduledVisit
    from responses.models import RecordAlert

    RecordAlert.objects.create(case=family, category=RecordAlert._meta.get_field("category").choices[0][0],
                               severity="high", details="Dog on the property: phone before visiting",
                               starts_on=timezone.localdate(), recorded_by=cast.worker)
    ScheduledVisit.objects.create(case=family, scheduled_for=timezone.localdate())
    client.force_login(cast.worker)
    assert "Dog on the property" in client.get(f"/contacts/case/{family.reference}/new/").content.decode()
    assert "Dog on the property" in client.get("/contacts/visits/").content.decode()


def test_a_contact_names_no_person_or_maker_from_outside_its_case(client, cast, family, cases):
    """Issue 12: another office's parent as the place of a contact, or the administrator or
    another team's leader as its maker, answer like ids that do not exist; nothing is saved,
    and the contact page never shows that parent's name."""
    outsider = cases["other_office"].parents[0].person
    outsider.given_name = "Outsiderina"
    outsider.save()
    client.force_login(cast.worker)
    for changes in ({"location": "other", "location_person": outsider.pk},
                    {"made_by": cast.administrator.pk}, {"made_by": cast.other_team_leader.pk}):
        field = "location_person" if "location_person" in changes else "made_by"
        response = client.post("/api/contacts/", _api_visit(family, **changes), content_type="application/json")
        assert response.status_code == 400
        assert response.json()[field] == [f'Invalid pk "{changes[field]}" - object does not exist.']
        page = client.post(f"/contacts/case/{family.reference}/new/", {
            "kind": "face_to_face", "mode": "in_person",
            "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "start_time": "00:01",
            "participants": [family.children[0].pk], "announced": "yes",
            "location": "parent_residence", "location_person": family.parents[0].person_id,
            "made_by": cast.worker.pk, **changes})
        assert page.status_code == 200 and field in page.context["form"].errors
    assert not Contact.objects.exists()
    made = client.post("/api/contacts/", _api_visit(family, made_by=cast.leader.pk), content_type="application/json")
    assert made.status_code == 201, made.content
    page = client.get(f"/contacts/{made.json()['id']}/").content.decode()
    assert outsider.given_name not in page
