"""Two people edit the same case in two browsers: the second save is refused, shows what the
first person changed and keeps what the second typed; saving again applies it knowingly."""

import pytest
from django.conf import settings

from cases.models import Phase
from tests.browser.conftest import PASSWORD, assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_of_two_case_edits_sees_the_first_and_keeps_its_input(page, sign_in, chromium, live_server, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.leader)
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Edit case").click()
    page.get_by_label("Substantiated on").fill("2026-01-05")

    # Meanwhile the caseworker, in another browser, changes the phase and saves.
    other = chromium.new_context(base_url=live_server.url, timezone_id=settings.TIME_ZONE)
    theirs = other.new_page()
    theirs.goto("/accounts/login/")
    theirs.get_by_label("Username").fill(cast.worker.username)
    theirs.get_by_label("Password").fill(PASSWORD)
    theirs.get_by_role("button", name="Sign in").click()
    theirs.wait_for_url(lambda url: "/accounts/login/" not in url)
    theirs.goto(f"/cases/{case.reference}/edit/")
    theirs.get_by_label("Phase").select_option(Phase.ONGOING_INTERVENTION)
    theirs.get_by_role("button", name="Save").click()
    theirs.wait_for_url(f"**/cases/{case.reference}/")
    other.close()

    page.get_by_role("button", name="Save").click()
    page.get_by_text("saved this case after you opened it").wait_for()
    assert page.get_by_text("Phase: Case planning → Ongoing intervention").count() == 1
    assert page.get_by_label("Substantiated on").input_value() == "2026-01-05"
    assert_accessible(page)
    case.refresh_from_db()
    assert case.phase == Phase.ONGOING_INTERVENTION and case.substantiated_on is None

    page.get_by_label("Phase").select_option(Phase.ONGOING_INTERVENTION)  # keep their phase, add my date
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    case.refresh_from_db()
    assert case.phase == Phase.ONGOING_INTERVENTION and str(case.substantiated_on) == "2026-01-05"
