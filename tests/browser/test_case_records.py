"""A caseworker signs in, opens a case, adds a child's living arrangement and sees it listed."""

import pytest

from cases.models import LivingArrangement
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_adds_a_living_arrangement_and_sees_it_listed(page, sign_in, cast):
    case = make_family_case(cast.worker)
    child = case.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    sign_in(cast.worker)
    assert_accessible(page)

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    assert_accessible(page)

    page.get_by_role("link", name=f"Add living arrangement for {child.person.given_name}").click()
    page.get_by_label("Kind").select_option("in_care")
    page.get_by_label("Placement").fill("Bluegum Foster Care")
    page.get_by_label("Effective from").fill(str(case.opened_on))
    page.get_by_label("Effective to").fill(str(case.opened_on.replace(year=case.opened_on.year - 1)))
    page.get_by_role("button", name="Save").click()
    # The end date before the start is refused with a message next to the field, input kept.
    assert page.get_by_text("The end date cannot be before the start date.").is_visible()
    assert page.get_by_label("Placement").input_value() == "Bluegum Foster Care"
    assert_accessible(page)

    page.get_by_label("Effective to").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    card = page.locator(f"#member-{child.pk}")
    assert "In care: Bluegum Foster Care" in card.locator(".living-arrangements").inner_text()
    assert LivingArrangement.objects.filter(member=child, placement="Bluegum Foster Care").count() == 1
