"""A team leader approving an override that reaches back into a closed month is shown the
month and what it would become, must confirm the amendment, and then finds the month
page showing the result as closed and as amended, with who, when and why."""

import pytest
from django.utils import timezone

from cases.models import Case
from contacts import rules
from contacts.compliance import month_freeze
from contacts.models import CaseMonthAmendment
from contacts.recompute import case_months_recompute
from contacts.services import requirement_change_request
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_override_into_a_closed_month_is_shown_confirmed_and_recorded(page, sign_in, cast):
    case = make_family_case(cast.worker, children=1, risk="high")
    last = rules.add_months(timezone.localdate().replace(day=1), -1)
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=last)
    month_freeze(cases=Case.objects.filter(pk=case.pk), month=last)
    requirement_change_request(user=cast.worker, case=case, kind="override", first_month=last, last_month=last,
                               counts=dict.fromkeys(rules.ADJUSTABLE, 0), reason="Family interstate for a funeral")

    sign_in(cast.leader)
    page.goto("/contacts/approvals/")
    table = page.get_by_role("table", name=f"Closed months of {case.reference} and what each would become")
    row = table.locator("tbody tr").first.inner_text()
    assert f"{last:%B %Y}" in row and "Short" in row and "Met" in row
    assert_accessible(page)

    page.get_by_role("button", name=f"Approve request for {case.reference}").click()
    page.wait_for_url("**/contacts/approvals/")
    assert f"Approving this request changes closed months: {last:%B %Y} from Short" in page.content()
    assert not CaseMonthAmendment.objects.exists()

    page.get_by_label(f"Amend the closed months listed for {case.reference}").check()
    page.get_by_label("Comment").fill("Agreed: the family was away all month.")
    page.get_by_role("button", name=f"Approve request for {case.reference}").click()
    page.wait_for_url("**/contacts/approvals/")
    assert "request approved" in page.content()

    page.goto(f"/contacts/case/{case.reference}/month/{last:%Y-%m}/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "(as amended)" in heading
    amendments = page.locator("table", has_text="Why").inner_text()
    assert "Family interstate for a funeral" in amendments and str(cast.leader) in amendments
    assert "As closed:" in page.content()
    assert_accessible(page)
