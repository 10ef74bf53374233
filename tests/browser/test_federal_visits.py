"""A manager reads the federal monthly caseworker-visit measure on the dashboard, drills down
to the child-months not seen by a caseworker, and opens one case-month, with the axe check on
every page."""

import re

import pytest

from cases.models import Case
from contacts import compliance
from tests.browser.conftest import assert_accessible
from tests.contacts.test_federal_measure import LAST, LONG_AGO, in_care_case, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_drills_from_the_federal_numbers_to_a_child_not_seen(page, sign_in, cast):
    seen = in_care_case(cast.worker, LONG_AGO)
    visit(seen, seen.children)  # at the placement
    elsewhere = in_care_case(cast.worker, LONG_AGO)
    visit(elsewhere, elsewhere.children, location="school")
    not_seen = in_care_case(cast.other_team_worker, LONG_AGO)
    compliance.case_months_recompute(cases=Case.objects.all(), month=LAST)

    sign_in(cast.manager)
    page.goto("/contacts/dashboard/")
    section = page.locator("section.federal-measure")
    section.get_by_role("heading", name="Federal monthly caseworker visits").wait_for()
    assert "66.7% of 3 child-months seen (below the 95% target)" in section.inner_text()
    assert "50.0% of those in the residence (not over 50%)" in section.inner_text()
    assert_accessible(page)

    by_team = section.get_by_role("table", name="Federal caseworker visits by team")
    row = by_team.locator("tr", has_text=cast.team_b.name)
    assert "0%" in row.inner_text()
    row.get_by_role("link", name="1 not seen").click()
    page.wait_for_url(re.compile(r".*/dashboard/federal/\?team=.*seen=no"))
    page.get_by_role("heading", name=re.compile("Not seen by a caseworker")).wait_for()
    assert_accessible(page)
    listed = page.locator("tbody tr")
    assert listed.count() == 1 and not_seen.reference in listed.inner_text()
    assert seen.reference not in page.content()

    listed.get_by_role("link", name=not_seen.reference).click()
    page.wait_for_url(f"**/contacts/case/{not_seen.reference}/month/{LAST:%Y-%m}/")
    assert_accessible(page)
