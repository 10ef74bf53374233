"""On a phone at a home visit, the case page opens on this month's contact and "Record a contact"."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_contact_is_on_the_first_screen_of_a_phone(page, sign_in, cast):
    case = make_family_case(cast.worker, children=3, parents=2, risk="high")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    record = page.get_by_role("link", name="Record a contact")
    box = record.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844
    status = page.locator("#contact-h").bounding_box()
    assert status["y"] < box["y"] + 844
    assert_accessible(page)
    record.click()
    page.wait_for_url("**/new/")
