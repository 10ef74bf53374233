"""What a caseworker typed is kept when they leave the contact form before the autosave's pause."""

import pytest

from contacts.models import ContactDraft
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leaving_the_form_right_after_typing_keeps_the_draft_and_the_form_offers_it(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    page.goto(f"/contacts/case/{case.reference}/new/")
    page.get_by_label("Observations and facts").fill("The children were at school; mother at home.")
    page.goto("/cases/")  # at once: before the autosave's pause
    page.wait_for_function("() => true")
    # The beacon reaches the server after the page is gone; on a loaded machine, while the
    # service worker installing on the first page fetches the app's files, that took over 5 s.
    for _ in range(150):
        if ContactDraft.objects.filter(case=case, author=cast.worker).exists():
            break
        page.wait_for_timeout(100)
    draft = ContactDraft.objects.get(case=case, author=cast.worker)
    assert draft.data["observations"] == "The children were at school; mother at home."

    page.goto(f"/contacts/case/{case.reference}/new/")
    assert page.get_by_text("You have an unfinished contact for this case").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Continue the draft saved").click()
    assert page.get_by_label("Observations and facts").input_value() == "The children were at school; mother at home."


def test_a_beacon_lost_as_the_form_closed_is_sent_again_by_the_next_page_and_kept_once(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    # The browser drops the request it was asked to send as the page went (it may: a beacon is
    # best effort); the next page has the tab's copy.
    page.add_init_script("navigator.sendBeacon = function () { return true; };")
    page.goto(f"/contacts/case/{case.reference}/new/")
    page.get_by_label("Observations and facts").fill("Father was at work; grandmother minding the baby.")
    page.goto("/cases/")
    for _ in range(150):
        if ContactDraft.objects.filter(case=case, author=cast.worker).exists():
            break
        page.wait_for_timeout(100)
    [draft] = ContactDraft.objects.filter(case=case, author=cast.worker)
    assert draft.data["observations"] == "Father was at work; grandmother minding the baby."
    # Sent, it is no longer waiting on the device: the bar says nothing waits.
    page.reload()
    assert page.evaluate("() => sessionStorage.getItem('casework-left-form')") is None
    assert ContactDraft.objects.filter(case=case, author=cast.worker).count() == 1
    assert_accessible(page)
