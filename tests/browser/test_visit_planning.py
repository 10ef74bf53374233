"""Planning a visit in a real browser: from "still needed" on the case page to the week and
month calendar and the iCalendar feed (fetched without a session), with the axe check on
every page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_a_visit_from_still_needed_and_find_it_in_the_calendar_and_the_feed(page, sign_in, cast, chromium,
                                                                                 live_server):
    case = make_family_case(cast.worker, risk="moderate", children=1)
    child = case.children[0].person
    sign_in(cast.worker)
    page.goto(case.get_absolute_url())
    page.get_by_role("heading", name=re.compile("Still needed this month")).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Plan a visit for .*with")).first.click()
    page.get_by_role("heading", name="Plan a visit").wait_for()
    assert_accessible(page)
    # Planned from a line about a person: that person is already chosen, at home.
    assert page.get_by_label(re.compile(child.given_name)).is_checked()
    assert page.get_by_label(re.compile("At home")).is_checked()
    # Tomorrow: the day is never in the past by the time the form is sent, whatever the hour.
    day = timezone.localdate() + dt.timedelta(days=1)
    page.locator("#id_scheduled_for").fill(day.isoformat())
    page.locator("#id_scheduled_time").fill("10:30")
    page.get_by_label("Purpose").fill("Check on the child's wellbeing")
    page.get_by_role("button", name="Plan the visit").click()
    page.get_by_text(f"Visit planned for {case.reference}").wait_for()
    assert "Check on the child's wellbeing" in page.content()

    page.goto(f"/contacts/visits/calendar/?view=week&date={day.isoformat()}")
    calendar = page.locator("table.calendar")
    calendar.get_by_role("link", name=f"10:30 {case.reference}").wait_for()
    assert child.given_name not in calendar.inner_text() and child.family_name not in calendar.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Month view").click()
    page.locator("table.calendar-month").get_by_role("link", name=f"10:30 {case.reference}").wait_for()
    assert_accessible(page)

    page.goto("/contacts/visits/calendar-address/")
    page.get_by_role("button", name="Make a calendar address").click()
    address = page.get_by_label("Address").input_value()
    assert_accessible(page)
    # The address alone opens the feed: a fresh browser context, signed in as nobody.
    stranger = chromium.new_context()
    try:
        answer = stranger.request.get(address.replace("http://testserver", live_server.url))
        assert answer.status == 200 and answer.headers["content-type"].startswith("text/calendar")
        feed = answer.text()
    finally:
        stranger.close()
    assert f"SUMMARY:Home visit: {case.reference}" in feed and "BEGIN:VEVENT" in feed
    assert child.given_name not in feed and child.family_name not in feed
