"""The contact form shows the fields of the kind of contact chosen: a caseworker's home
visit has no provider or "person contacted" fields in the way."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_form_shows_provider_and_support_fields_only_when_they_apply(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    page.goto(f"/contacts/case/{case.reference}/new/")
    person_contacted = page.get_by_label("Person contacted (support contact)")
    provider = page.get_by_label("Service provider", exact=True)
    assert not person_contacted.is_visible() and not provider.is_visible()
    assert_accessible(page)

    page.get_by_label("Kind").select_option("support")
    assert person_contacted.is_visible()
    page.get_by_label("Kind").select_option("face_to_face")
    assert not person_contacted.is_visible()
    page.get_by_label("Made by (staff member)").select_option(label="— a service provider worker —")
    assert provider.is_visible() and page.get_by_label("Provider worker's name").is_visible()
    assert_accessible(page)
