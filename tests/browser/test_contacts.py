"""A caseworker logs a home visit with two children and a parent and sees the month's
progress change; a team leader approves an override and the requirement changes."""

import pytest
from django.utils import timezone

from contacts.models import Contact
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _line_text(page, description):
    return page.locator("table.requirement-lines tr", has_text=description).first.inner_text()


def test_home_visit_changes_progress_and_an_approved_override_changes_the_requirement(page, sign_in, cast):
    case = make_family_case(cast.worker, children=2, parents=1, risk="moderate")
    first, second = (c.person.given_name for c in case.children)
    parent = case.parents[0].person.given_name
    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    assert "0 of 2" in _line_text(page, f"Face-to-face with {first}")
    assert_accessible(page)

    page.get_by_role("link", name="Record a contact").click()
    page.wait_for_url("**/new/")
    assert_accessible(page)
    # Defaults: today, both children ticked, the mother's residence.
    assert page.get_by_label("Date").input_value() == timezone.localdate().isoformat()
    assert page.get_by_label(f"{first} ", exact=False).first.is_checked()
    page.get_by_label(f"{parent} ", exact=False).first.check()
    # A start time that has passed at any hour (the form refuses one in the future).
    page.get_by_label("Start time").fill(timezone.localtime().strftime("%H:%M"))
    page.get_by_label("Purpose (goal of the contact)").fill("Monthly home visit")
    page.get_by_label("Observations and facts").fill("Both children were home; lunch boxes packed.")
    page.get_by_label("Your assessment and opinion").fill("Routines are improving.")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    assert "1 of 2" in _line_text(page, f"Face-to-face with {first}")
    assert "1 of 2" in _line_text(page, f"Face-to-face with {second}")
    assert "1 of 2" in _line_text(page, f"Face-to-face with {parent}")
    assert "1 of 1" in _line_text(page, f"Face-to-face with {first} by the caseworker")
    assert Contact.objects.get().participants.count() == 3

    page.get_by_role("link", name="Request override or increase").click()
    assert_accessible(page)
    page.get_by_label("Face-to-face with each child (per month)").fill("1")
    page.get_by_label("Unique circumstances (override) or rationale (increase)").fill(
        "Children away with grandparents for half the month.")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    assert "Awaiting approval" in page.content()

    page.get_by_role("button", name="Sign out").click()
    sign_in(cast.leader)
    page.goto("/contacts/approvals/")
    assert_accessible(page)
    page.get_by_label("Comment").fill("Agreed for this month.")
    page.get_by_role("button", name=f"Approve request for {case.reference}").click()
    page.wait_for_url("**/contacts/approvals/")
    page.goto(f"/cases/{case.reference}/")
    assert "1 of 1" in _line_text(page, f"Face-to-face with {first}")
    assert "standard 2" in _line_text(page, f"Face-to-face with {first}")
    assert "Override applied — approved by" in page.content()
    assert_accessible(page)
