"""A caseworker leaves the laptop on a half-written contact: at the idle deadline the page
saves the draft and signs out, and after signing in again the form comes back filled in.

Two clocks move together: the browser's (Playwright's page.clock, for the page's timers)
and the server's (time-machine, which the live server's thread shares), so nothing waits
for real minutes and nothing depends on the hour."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import ContactDraft
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)


def test_idle_sign_out_saves_the_draft_and_signing_in_again_brings_it_back(page, sign_in, cast):
    case = make_family_case(cast.worker, children=1, parents=1)
    with time_machine.travel(timezone.now(), tick=True) as server_clock:
        page.clock.install()
        sign_in(cast.worker)
        page.goto(f"/contacts/case/{case.reference}/new/")
        assert_accessible(page)
        notes = page.get_by_label("Observations and facts")
        notes.fill("Mother said the boys sleep at their aunt's on Fridays.")
        expect(page.locator("#draft-status")).to_contain_text("saved")  # the autosave, a few seconds later
        notes.press_sequentially(" Aunt's address to follow.")

        # Nobody touches the laptop. The server gets to 20 seconds before its idle deadline;
        # the page's timers jump ahead too (the warning, then the save-and-sign-out).
        server_clock.shift(IDLE - dt.timedelta(seconds=20))
        page.clock.fast_forward(int(IDLE.total_seconds() * 1000))

        page.wait_for_url("**/accounts/login/**")
        assert "expired=1" in page.url
        message = page.get_by_role("status")
        expect(message).to_contain_text(f"signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity")
        expect(message).to_contain_text("saved as a draft")
        assert_accessible(page)
        assert page.request.get("/cases/", max_redirects=0).status == 302  # the session really ended
        draft = ContactDraft.objects.get(author=cast.worker, case=case)
        assert draft.data["observations"].endswith("Aunt's address to follow.")

        # Back at the laptop later: signing in returns to the form, filled in from the draft.
        server_clock.shift(dt.timedelta(hours=1))
        page.get_by_label("Username").fill(cast.worker.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/contacts/case/{case.reference}/new/?draft={draft.pk}")
        expect(page.get_by_label("Observations and facts")).to_have_value(
            "Mother said the boys sleep at their aunt's on Fridays. Aunt's address to follow.")
        expect(page.locator("#draft-status")).to_contain_text("finish and save it below")
        assert_accessible(page)
