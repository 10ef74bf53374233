"""A caseworker opens a case; their team leader then sees that look on "Who has looked at
this case", and a manager opens the access report."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_leader_sees_who_has_looked_after_a_caseworker_viewed_the_case(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("heading", name=f"Case {case.reference}").wait_for()
    assert page.get_by_role("link", name="Who has looked at this case").count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")

    sign_in(cast.leader)
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Who has looked at this case").click()
    page.wait_for_url(f"**/cases/{case.reference}/looks/")
    page.get_by_role("heading", name="Who has looked at this case").wait_for()
    rows = page.locator("table.list tbody tr")
    # Newest first: the leader's own opening of the case page, then the caseworker's.
    assert rows.nth(0).get_by_text(cast.leader.get_full_name()).count() == 1
    worker_rows = rows.filter(has_text=cast.worker.get_full_name())
    # The caseworker's "My cases" (where signing in lands: the row names the children) and the case page.
    assert worker_rows.filter(has_text="cases:my_cases").count() == 1
    worker_row = worker_rows.filter(has_text="cases:detail")
    assert worker_row.count() == 1
    assert "Page" in worker_row.inner_text()
    assert_accessible(page)


def test_manager_opens_the_access_report_and_corrects_a_bad_period(page, sign_in, cast):
    make_family_case(cast.worker)
    sign_in(cast.manager)
    page.get_by_role("link", name="Access report").click()
    page.get_by_role("heading", name="Access report").wait_for()
    assert_accessible(page)
    page.get_by_label("From").fill("2026-03-10")
    page.get_by_label("To").fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("The period must start on or before its end").wait_for()
    assert_accessible(page)
    page.get_by_label("To").fill("2026-03-31")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Sign-ins and failed sign-ins").click()
    page.get_by_role("heading", name="Failed sign-ins").wait_for()
    assert_accessible(page)
