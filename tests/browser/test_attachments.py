"""A caseworker attaches a PDF to a case; a team colleague downloads it (the same bytes, saved
as an attachment); a worker of another team gets 404 for the page and the file."""

import pytest

from cases import demo_files
from cases.models import Attachment, CaseLook
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = demo_files.pdf("Court order, fictional")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_caseworker_attaches_a_pdf_a_colleague_downloads_it_and_another_team_gets_404(page, sign_in, cast):
    case = make_family_case(cast.worker)

    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    assert page.get_by_role("heading", name="Documents and photos").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Attach a document").click()
    page.wait_for_url("**/attachments/new/")
    assert_accessible(page)
    # A file that is not what its name says is refused, with the reason, and nothing is kept.
    page.get_by_label("File").set_input_files({"name": "notes.pdf", "mimeType": "application/pdf",
                                               "buffer": b"Only text, named like a PDF"})
    page.get_by_role("button", name="Attach").click()
    assert page.get_by_text("This type of file cannot be attached").is_visible()
    assert not Attachment.objects.exists()
    assert_accessible(page)
    page.get_by_label("File").set_input_files({"name": "Court order 3 March.pdf", "mimeType": "application/pdf",
                                               "buffer": PDF})
    page.get_by_label("Title").fill("Court order")
    page.get_by_role("button", name="Attach").click()
    page.wait_for_url("**/attachments/*/")
    assert page.get_by_role("heading", name="Court order").is_visible()
    assert_accessible(page)
    attachment = Attachment.objects.get()
    url = f"/cases/{case.reference}/attachments/{attachment.pk}/"
    _sign_out(page)

    sign_in(cast.colleague)
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Court order").click()
    page.wait_for_url(f"**{url}")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "Court order 3 March.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == PDF
    answer = page.request.get(url + "download/")
    assert answer.headers["content-disposition"] == 'attachment; filename="Court order 3 March.pdf"'
    assert answer.headers["cache-control"] == "no-store, private" and answer.body() == PDF
    assert CaseLook.objects.filter(case=case, user=cast.colleague, how="download").exists()
    _sign_out(page)

    sign_in(cast.other_team_worker)
    assert page.goto(url).status == 404
    assert page.request.get(url + "download/").status == 404
    assert page.request.get(url + "preview/").status == 404
