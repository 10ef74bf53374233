"""A team leader restricts a case with a reason and names a member of staff; an excluded
colleague is then told the case does not exist, the named one opens it."""

import pytest

from cases.models import Case, RestrictedCaseStaff
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_leader_restricts_a_case_and_names_a_member_of_staff(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.leader)
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Restricted access").click()
    page.wait_for_url(f"**/cases/{case.reference}/restricted/")
    assert_accessible(page)

    page.get_by_role("button", name="Restrict access").click()  # no reason: refused, nothing saved
    page.get_by_text("This field is required.").wait_for()
    assert not Case.objects.get(pk=case.pk).restricted
    assert_accessible(page)

    page.get_by_label("Reason").fill("The mother is a relative of a member of staff.")
    page.get_by_role("button", name="Restrict access").click()
    page.get_by_text("Access restricted.").wait_for()
    assert page.get_by_role("heading", name="Restricted access Restricted").is_visible()
    page.get_by_label("Member of staff").select_option(label=f"{cast.support_officer} — Support officer, "
                                                            f"{cast.team_a.name}")
    page.get_by_role("button", name="Name this member of staff").click()
    page.get_by_text("Staff member named.").wait_for()
    assert page.get_by_role("cell", name=str(cast.support_officer), exact=True).is_visible()
    assert_accessible(page)
    assert RestrictedCaseStaff.objects.filter(case=case, user=cast.support_officer).exists()

    page.goto(f"/cases/{case.reference}/")
    assert page.locator("h1 .tag.restricted").inner_text() == "Restricted"
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(cast.colleague)
    response = page.goto(f"/cases/{case.reference}/")
    assert response.status == 404
    page.context.clear_cookies()
    sign_in(cast.support_officer)
    response = page.goto(f"/cases/{case.reference}/")
    assert response.status == 200 and page.locator("h1 .tag.restricted").is_visible()
