"""Documents and photos on a case (issue 16): the type told from the content, the limits from
the settings, downloads only through the app with the case's access, each one in the access log,
withdrawn (never deleted) with who, when and why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import attachment_rules, demo_files, services
from cases.errors import CaseworkError
from cases.models import Attachment, CaseLook
from services import services as referral_services
from services.models import Service, ServiceProvider, ServiceType
from tests.cases.test_access import VISIBLE

PDF = demo_files.pdf("Court order, fictional")
PNG = demo_files.png()

pytestmark = pytest.mark.django_db


def _upload(name="order.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _attach(case, user, **kwargs):
    return services.attachment_upload(user=user, case=case, upload=_upload(), title="Court order", **kwargs)


def _stored(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- What a file is: pure -------------------------------------------------------------------


def test_the_type_is_told_from_the_content_not_the_name():
    assert attachment_rules.sniff(PDF) == "pdf"
    assert attachment_rules.sniff(PNG) == "png"
    assert attachment_rules.sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert attachment_rules.sniff(b"Just some text, though named .pdf") is None


@pytest.mark.parametrize("head", [b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/bin/sh\nrm -rf /", b"\xef\xbb\xbf#!/usr/bin/env python",
                                  b"\xcf\xfa\xed\xfe\x07"])
def test_programs_and_scripts_are_refused_whatever_they_contain_after(head):
    with pytest.raises(attachment_rules.RefusedFile, match="Programs and scripts"):
        attachment_rules.check(head + b"%PDF-1.4", 100, allowed=["pdf"], max_bytes=1000)


def test_limits_size_emptiness_and_the_types_the_settings_allow():
    with pytest.raises(attachment_rules.RefusedFile, match="too large: 1,001 bytes; the limit is 1,000"):
        attachment_rules.check(PDF, 1001, allowed=["pdf"], max_bytes=1000)
    with pytest.raises(attachment_rules.RefusedFile, match="empty"):
        attachment_rules.check(b"", 0, allowed=["pdf"], max_bytes=1000)
    with pytest.raises(attachment_rules.RefusedFile, match="Accepted: PDF"):
        attachment_rules.check(PNG, len(PNG), allowed=["pdf"], max_bytes=10_000)
    assert attachment_rules.check(PNG, len(PNG), allowed=["pdf", "png"], max_bytes=10_000) == "png"


def test_the_download_name_keeps_the_stem_and_takes_the_real_extension():
    assert attachment_rules.download_name("Court order.exe", "pdf") == "Court order.pdf"
    assert attachment_rules.download_name("../../etc/pass\"wd", "png") == "pass_wd.png"
    assert attachment_rules.download_name("...", "jpeg") == "attachment.jpg"


# --- Attaching on the case page ----------------------------------------------------------------


def test_a_caseworker_attaches_a_pdf_and_it_is_stored_in_the_configured_folder(client, cast, cases,
                                                                                attachments_in_a_temporary_folder):
    case = cases["own"]
    client.force_login(cast.worker)
    page = client.get(f"/cases/{case.reference}/attachments/new/")
    assert page.status_code == 200 and "PDF, PNG image, JPEG image" in page.content.decode()
    response = client.post(f"/cases/{case.reference}/attachments/new/",
                           {"file": _upload("Court order 3 March.pdf"), "title": "Court order", "target_kind": "case"})
    attachment = Attachment.objects.get()
    assert response.status_code == 302 and response["Location"] == attachment.get_absolute_url()
    assert (attachment.case, attachment.file_type, attachment.size, attachment.uploaded_by) == (
        case, "pdf", len(PDF), cast.worker)
    assert attachment.target_kind == "case" and attachment.target_id is None
    assert [p.read_bytes() for p in _stored(attachments_in_a_temporary_folder)] == [PDF]
    assert "Court order" not in attachment.storage_name  # the stored name says nothing
    assert attachment.history.count() == 1
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert "Documents and photos" in case_page and "Court order" in case_page
    timeline = client.get(f"/contacts/case/{case.reference}/timeline/").content.decode()
    assert "Document attached: Court order" in timeline and attachment.get_absolute_url() in timeline


@pytest.mark.parametrize("name, content, message", [
    ("big.pdf", PDF + b" " * 3000, "too large"),
    ("notes.pdf", b"Plain text, only named like a PDF", "This type of file cannot be attached"),
    ("report.pdf", b"MZ\x90\x00\x03" + PDF, "Programs and scripts cannot be attached"),
    ("run.pdf", b"#!/bin/sh\necho hi\n", "Programs and scripts cannot be attached"),
])
def test_a_refused_file_says_why_and_nothing_is_kept(client, cast, cases, settings, attachments_in_a_temporary_folder,
                                                       name, content, message):
    settings.ATTACHMENT_MAX_BYTES = 2048
    case = cases["own"]
    client.force_login(cast.worker)
    response = client.post(f"/cases/{case.reference}/attachments/new/", {"file": _upload(name, content),
                                                                         "target_kind": "case"})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Attachment.objects.exists() and not _stored(attachments_in_a_temporary_folder)


def test_a_form_without_a_file_asks_for_one(client, cast, cases):
    client.force_login(cast.worker)
    response = client.post(f"/cases/{cases['own'].reference}/attachments/new/", {"title": "Nothing"})
    assert response.status_code == 400 and "Choose a file to attach." in response.content.decode()
    assert not Attachment.objects.exists()


def _referral(case, user):
    provider = ServiceProvider.objects.create(name="Test Parenting Hub")
    service = Service.objects.create(provider=provider, name="Parenting program", service_type=ServiceType.PARENTING)
    return referral_services.referral_create(user=user, case=case, service=service, people=[case.parents[0]],
                                             reason="Parenting support")


def test_a_document_attached_to_a_referral_shows_on_the_referral_and_the_case(client, cast, cases):
    case = cases["own"]
    referral = _referral(case, cast.worker)
    client.force_login(cast.worker)
    response = client.post(f"/cases/{case.reference}/attachments/new/", {
        "file": _upload("intake.png", PNG, "image/png"), "title": "Intake form", "target_kind": "referral",
        "target_id": referral.pk})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.target_kind, attachment.target_id, attachment.file_type) == ("referral", referral.pk, "png")
    referral_page = client.get(f"/services/cases/{case.reference}/referrals/{referral.pk}/").content.decode()
    assert "Intake form" in referral_page and "target_kind=referral" in referral_page
    assert "Intake form" in client.get(case.get_absolute_url()).content.decode()


def test_a_record_of_another_case_cannot_be_named_as_the_target(client, cast, cases, attachments_in_a_temporary_folder):
    other = _referral(cases["team"], cast.colleague)
    client.force_login(cast.worker)
    for target_id in (other.pk, 987_654_321):
        response = client.post(f"/cases/{cases['own'].reference}/attachments/new/", {
            "file": _upload(), "target_kind": "referral", "target_id": target_id})
        assert response.status_code == 400 and "There is no such referral" in response.content.decode()
    assert not Attachment.objects.exists() and not _stored(attachments_in_a_temporary_folder)


# --- Access: downloads only through the app, as the case ------------------------------------------


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_member_of_the_cast_opens_an_attachment_only_of_a_case_they_see(client, cast, cases, role):
    case = cases["own"]
    attachment = _attach(case, cast.worker)
    client.force_login(getattr(cast, role))
    seen = "own" in VISIBLE[role]
    base = f"/cases/{case.reference}/attachments/{attachment.pk}/"
    missing = f"/cases/{case.reference}/attachments/987654321/"
    for suffix in ("", "download/", "preview/"):
        response = client.get(base + suffix)
        if seen:
            assert response.status_code == 200, (role, suffix)
        else:
            assert response.status_code == 404 == client.get(missing + suffix).status_code, (role, suffix)
    if seen:
        download = client.get(base + "download/")
        assert download["Content-Disposition"] == 'attachment; filename="order.pdf"'
        assert download["Cache-Control"] == "no-store, private" and download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == PDF


def test_a_colleague_downloads_and_the_look_is_in_the_access_log(client, cast, cases):
    case = cases["own"]
    attachment = _attach(case, cast.worker)
    CaseLook.objects.all().delete()
    client.force_login(cast.colleague)
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.pk}/download/").status_code == 200
    look = CaseLook.objects.get()
    assert (look.case, look.user, look.how, look.what) == (case, cast.colleague, "download",
                                                           f"cases:attachment_download attachment {attachment.pk}")


def test_a_preview_is_inline_and_not_sniffed(client, cast, cases):
    case = cases["own"]
    attachment = _attach(case, cast.worker)
    client.force_login(cast.worker)
    response = client.get(f"/cases/{case.reference}/attachments/{attachment.pk}/preview/")
    assert response["Content-Disposition"] == 'inline; filename="order.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store, private"


def test_an_attachment_is_reached_only_through_its_own_case(client, cast, cases):
    attachment = _attach(cases["team"], cast.colleague)
    client.force_login(cast.worker)  # sees both cases, but the attachment is not of "own"
    assert client.get(f"/cases/{cases['own'].reference}/attachments/{attachment.pk}/download/").status_code == 404


def test_those_who_may_not_edit_the_case_may_not_attach(client, cast, cases):
    client.force_login(cast.manager)
    assert client.get(f"/cases/{cases['own'].reference}/attachments/new/").status_code == 403
    client.force_login(cast.other_team_worker)
    assert client.post(f"/cases/{cases['own'].reference}/attachments/new/", {"file": _upload()}).status_code == 404
    assert not Attachment.objects.exists()


# --- Withdrawn, never deleted ---------------------------------------------------------------------


def test_a_withdrawn_attachment_stays_with_who_when_why_and_only_the_team_leader_opens_it(
        client, cast, cases, attachments_in_a_temporary_folder):
    case = cases["own"]
    attachment = _attach(case, cast.worker)
    client.force_login(cast.worker)
    url = f"/cases/{case.reference}/attachments/{attachment.pk}/"
    refused = client.post(url + "withdraw/", {"reason": ""})
    assert refused.status_code == 200 and "Say why the attachment is withdrawn." in refused.content.decode()
    assert client.post(url + "withdraw/", {"reason": "Wrong family's order"}).status_code == 302
    attachment.refresh_from_db()
    assert attachment.withdrawn and attachment.withdrawn_by == cast.worker
    assert attachment.withdrawn_reason == "Wrong family's order" and attachment.history.count() == 2
    assert _stored(attachments_in_a_temporary_folder)  # the file is kept
    page = client.get(url).content.decode()
    assert "Withdrawn" in page and "Wrong family&#x27;s order" in page
    for user in (cast.worker, cast.colleague, cast.manager):
        client.force_login(user)
        assert client.get(url + "download/").status_code == 404
        assert client.get(url + "preview/").status_code == 404
    client.force_login(cast.leader)
    assert client.get(url + "download/").status_code == 200
    with pytest.raises(CaseworkError, match="already withdrawn"):
        services.attachment_withdraw(user=cast.leader, attachment=attachment, reason="Again")


# --- The API ----------------------------------------------------------------------------------


def test_the_api_uploads_lists_per_case_downloads_and_withdraws(client, cast, cases):
    case = cases["own"]
    client.force_login(cast.worker)
    created = client.post("/api/attachments/", {"case": case.reference, "file": _upload("Report.pdf"),
                                                "title": "School report"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["case"], body["file_type"], body["size"], body["withdrawn"]) == (case.reference, "pdf", len(PDF), False)
    _attach(cases["team"], cast.colleague)
    listed = client.get(f"/api/attachments/?case__reference={case.reference}").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    client.force_login(cast.colleague)
    download = client.get(f"/api/attachments/{body['id']}/download/")
    assert download.status_code == 200 and download["Content-Disposition"] == 'attachment; filename="Report.pdf"'
    assert b"".join(download.streaming_content) == PDF
    withdrawn = client.post(f"/api/attachments/{body['id']}/withdraw/", {"reason": "Duplicate"},
                            content_type="application/json")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by"] == str(cast.colleague)
    assert client.get(f"/api/attachments/{body['id']}/download/").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"file": "x"}, "case"),
    ({"case": "OWN"}, "file"),
    ({"case": "OWN", "file": "MZ"}, "Programs and scripts"),
    ({"case": "OWN", "file": "TEXT"}, "This type of file cannot be attached"),
    ({"case": "OWN", "file": "PDF", "target_kind": "referral", "target_id": 987654321}, "no such referral"),
    ({"case": "ZZZ-1999-999999", "file": "PDF"}, "does not exist"),
])
def test_the_api_refuses_bad_uploads_with_the_reason_and_keeps_nothing(client, cast, cases, data, message,
                                                                       attachments_in_a_temporary_folder):
    files = {"MZ": _upload("a.pdf", b"MZ" + PDF), "TEXT": _upload("a.pdf", b"hello"), "PDF": _upload()}
    data = {k: files.get(v, cases["own"].reference if v == "OWN" else v) for k, v in data.items()}
    client.force_login(cast.worker)
    response = client.post("/api/attachments/", data)
    assert response.status_code == 400 and message in response.content.decode(), response.content
    assert not Attachment.objects.exists() and not _stored(attachments_in_a_temporary_folder)


def test_the_api_answers_an_unseen_attachment_as_a_missing_one(client, cast, cases):
    attachment = _attach(cases["own"], cast.worker)
    client.force_login(cast.other_team_worker)
    for suffix in ("", "download/"):
        assert client.get(f"/api/attachments/{attachment.pk}/{suffix}").status_code == 404
        assert client.get(f"/api/attachments/987654321/{suffix}").status_code == 404
    assert client.post(f"/api/attachments/{attachment.pk}/withdraw/", {"reason": "x"},
                       content_type="application/json").status_code == 404
    unseen_case = client.post("/api/attachments/", {"case": cases["own"].reference, "file": _upload()})
    assert unseen_case.status_code == 400 and not Attachment.objects.exclude(pk=attachment.pk).exists()
    assert client.get("/api/attachments/").json()["results"] == []


def test_the_demo_agency_gets_a_few_generated_attachments(cast, cases, attachments_in_a_temporary_folder):
    from cases import demo

    referral = _referral(cases["own"], cast.worker)
    demo.seed(None, list(cases.values()), scale=False)
    attachments = list(Attachment.objects.order_by("pk"))
    assert [a.title for a in attachments[:3]] == [title for title, _name, _kind in demo.DEMO_ATTACHMENTS]
    assert {a.file_type for a in attachments} == {"pdf", "png"}
    assert (attachments[3].target_kind, attachments[3].target_id) == ("referral", referral.pk)
    assert len(_stored(attachments_in_a_temporary_folder)) == 4
    demo.seed(None, [], scale=False)
    assert Attachment.objects.count() == 4


def _contact(client, case, user):
    from contacts.models import Contact
    from tests.contacts.conftest import visit_form

    client.force_login(user)
    assert client.post(f"/contacts/case/{case.reference}/new/", visit_form(case)).status_code == 302
    contact = Contact.objects.filter(case=case).latest("pk")
    return contact.pk, f"/contacts/{contact.pk}/"


def _response(client, case, user):
    from responses import services as response_services
    from responses.models import InformationKind

    response = response_services.response_record(user=user, case=case, kind=InformationKind.NEW_CONCERN, person=None,
                                                 summary="School reports bruising")
    return response.pk, f"/responses/cases/{case.reference}/responses/{response.pk}/"


def _plan(client, case, user):
    from tests.caseplans.conftest import draft_plan

    plan = draft_plan(case, user, actions=1)
    return plan.pk, plan.get_absolute_url()


@pytest.mark.parametrize("kind, make", [("contact", _contact), ("response", _response), ("plan", _plan)])
def test_a_document_on_a_contact_a_response_or_a_plan_shows_on_its_page(client, cast, cases, kind, make):
    case = cases["own"]
    target_id, page = make(client, case, cast.worker)
    client.force_login(cast.worker)
    form = client.get(f"/cases/{case.reference}/attachments/new/?target_kind={kind}&target_id={target_id}")
    assert f'value="{kind}"' in form.content.decode()
    assert client.post(f"/cases/{case.reference}/attachments/new/", {
        "file": _upload(), "title": f"Scan for the {kind}", "target_kind": kind, "target_id": target_id,
    }).status_code == 302
    html = client.get(page).content.decode()
    assert f"Scan for the {kind}" in html and f"target_kind={kind}&amp;target_id={target_id}" in html
    client.force_login(cast.other_team_worker)
    assert client.get(page).status_code == 404


@pytest.mark.parametrize("kind, target_id, message", [
    ("photo-album", "1", "Choose what the document is attached to."),
    ("referral", "abc", "There is no such referral"),
    ("referral", "", "There is no such referral"),
])
def test_a_bad_target_on_the_form_says_so_and_keeps_nothing(client, cast, cases, kind, target_id, message,
                                                            attachments_in_a_temporary_folder):
    client.force_login(cast.worker)
    response = client.post(f"/cases/{cases['own'].reference}/attachments/new/", {
        "file": _upload(), "target_kind": kind, "target_id": target_id})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Attachment.objects.exists() and not _stored(attachments_in_a_temporary_folder)


def test_an_upload_may_be_larger_than_other_request_bodies_up_to_the_attachment_limit(client, cast, cases, settings):
    settings.REQUEST_BODY_MAX_BYTES, settings.ATTACHMENT_MAX_BYTES = 10_000, 40_000
    big = PDF + b"\n%" + b"x" * 20_000
    client.force_login(cast.worker)
    elsewhere = client.post(f"/cases/{cases['own'].reference}/risk/new/", {"notes": "x" * 20_000})
    assert elsewhere.status_code == 413
    response = client.post(f"/cases/{cases['own'].reference}/attachments/new/", {"file": _upload("big.pdf", big)})
    assert response.status_code == 302 and Attachment.objects.get().size == len(big)
    too_big = client.post(f"/cases/{cases['own'].reference}/attachments/new/",
                          {"file": _upload("huge.pdf", big + b"x" * 120_000)})
    assert too_big.status_code == 413 and Attachment.objects.count() == 1


def test_the_case_page_and_timeline_cost_the_same_queries_with_one_attachment_or_five(client, cast, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = cases["own"]
    client.force_login(cast.worker)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = [case.get_absolute_url(), f"/contacts/case/{case.reference}/timeline/"]
    _attach(case, cast.worker)
    [queries(url) for url in urls]  # the first answers also save the session and fill caches
    one = [queries(url) for url in urls]
    for _ in range(4):
        _attach(case, cast.colleague)
    assert [queries(url) for url in urls] == one
