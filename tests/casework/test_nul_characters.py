"""A NUL character anywhere a person or a client can type one: a clear 400, never a server
error (PostgreSQL cannot store or compare it), and a contact's typed text is never lost."""

import pytest

from contacts.models import Contact, ContactDraft
from tests.conftest import make_family_case
from tests.contacts.conftest import visit_form


@pytest.mark.parametrize("url", ["/cases/?q=%00", "/cases/?q=ab%00cd", "/api/cases/?search=%00", "/alerts/?kind=%00"])
def test_a_nul_in_the_address_answers_400_with_the_reason(client, cast, url):
    client.force_login(cast.worker)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_case_reference_in_the_path_answers_400(client, cast):
    client.force_login(cast.worker)
    response = client.get("/api/cases/REF%00/")
    assert response.status_code == 400 and "NUL character" in response.content.decode()


def test_a_nul_in_a_contacts_text_is_refused_clearly_and_the_text_kept_in_the_draft(client, cast):
    case = make_family_case(cast.worker)
    client.force_login(cast.worker)
    data = visit_form(case, observations="Mother said\x00 the children slept well.")
    response = client.post(f"/contacts/case/{case.reference}/new/", data)
    assert response.status_code == 200 and not Contact.objects.exists()
    assert "Null characters are not allowed." in response.content.decode()
    draft = ContactDraft.objects.get()
    assert draft.data["observations"] == "Mother said the children slept well."
    autosave = client.post(f"/contacts/case/{case.reference}/draft/",
                           data | {"draft": draft.pk, "observations": "More\x00 text"},
                           HTTP_X_CASEWORK_BACKGROUND="autosave")
    assert autosave.status_code == 200
    draft.refresh_from_db()
    assert draft.data["observations"] == "More text"


@pytest.mark.parametrize("endpoint", ["/api/contacts/", "/api/referrals/", "/api/record-alerts/", "/api/responses/",
                                      "/api/risk-assessments/", "/api/supervision-reviews/"])
def test_a_nul_in_a_case_reference_in_a_body_answers_as_a_missing_case(client, cast, endpoint):
    case = make_family_case(cast.worker)
    client.force_login(cast.worker)
    response = client.post(endpoint, {"case": case.reference + "\x00"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["case"] == [f"Object with reference={case.reference}\x00 does not exist."]
