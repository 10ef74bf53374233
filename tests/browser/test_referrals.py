"""A caseworker refers a parent to a counselling service that costs money, a financial
delegate approves the payment, and the referral goes out and becomes active."""

import pytest

from services.models import Referral
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case
from tests.services.conftest import directory, grant_delegate  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_caseworker_refers_a_parent_to_paid_counselling_delegate_approves_and_it_becomes_active(
        page, sign_in, cast, directory):  # noqa: F811 (the imported fixture)
    case = make_family_case(cast.worker)
    parent = case.parents[0]
    delegate = grant_delegate(cast.manager)
    service = directory["paid"]

    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    assert_accessible(page)
    page.get_by_role("link", name="Refer to a service").click()
    page.wait_for_url("**/referrals/new/")
    assert_accessible(page)
    # The self-referral details appear only when ticked.
    assert not page.get_by_label("Parent who referred themselves").is_visible()
    page.get_by_label("Service").select_option(str(service.pk))
    page.get_by_label(f"{parent.person} (Parent, mother)").check()
    page.get_by_label("Reason for the referral").fill("Counselling for the mother, as agreed in the case plan")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/referrals/*/")
    assert page.locator("#referral-status").inner_text() == "Draft"
    assert page.get_by_text("This service costs money").is_visible()
    assert page.get_by_role("link", name="Mark as sent").is_visible()
    assert_accessible(page)

    # Sending before approval is refused with the reason, and nothing changes.
    page.get_by_role("link", name="Mark as sent").click()
    page.get_by_role("button", name="Mark as sent").click()
    assert page.get_by_text("confirm the cost and have the payment approved").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Referral to Test Counselling Rooms").click()

    page.get_by_role("link", name="Confirm cost and ask for approval").click()
    assert_accessible(page)
    page.get_by_label("Number of sessions").fill("8")
    page.get_by_label("Method of payment").select_option("purchase_order")
    page.get_by_role("button", name="Ask for payment approval").click()
    page.wait_for_url("**/referrals/*/")
    assert "Waiting for approval" in page.locator("#cost").inner_text()
    referral = Referral.objects.get(case=case)
    _sign_out(page)

    sign_in(delegate)
    page.get_by_role("link", name="Payment approvals").click()
    page.wait_for_url("**/services/approvals/")
    assert_accessible(page)
    card = page.locator(f"#approval-{referral.cost_approvals.get().pk}")
    assert "$960.00" in card.inner_text()
    card.get_by_label("Comment").fill("Within the brokerage budget")
    card.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/services/approvals/")
    assert page.get_by_text("payment approved").is_visible()
    assert_accessible(page)
    _sign_out(page)

    sign_in(cast.worker)
    page.goto(f"/services/cases/{case.reference}/referrals/{referral.pk}/")
    assert "Approved by" in page.locator("#cost").inner_text()
    for action in ("Mark as sent", "Provider accepted", "Service started"):
        page.get_by_role("link", name=action).click()
        assert_accessible(page)
        page.get_by_role("button", name=action).click()
        page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert page.locator("#referral-status").inner_text() == "Active"
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == "active" and referral.active_on is not None
    assert [c.to_status for c in referral.status_changes.order_by("id")] == [
        "draft", "sent", "accepted", "active"]

    page.goto(f"/cases/{case.reference}/")
    row = page.locator(f"#referral-{referral.pk}")
    assert "Active" in row.inner_text() and "Test Counselling Rooms" in row.inner_text()
