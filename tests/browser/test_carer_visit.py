"""Recording a carer visit in a real browser: from the case page's "Children in care" to the
placement, through the agreement check, to the alert a concern raises; the axe check on every page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from alerts.models import Alert
from care.models import AgreementCheck, CarerVisit
from tests.browser.conftest import assert_accessible
from tests.care.conftest import agree, household, place
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_carer_visit_with_the_agreement_check_and_a_concern_becomes_an_alert(page, sign_in, cast):
    case = make_family_case(cast.worker, children=1)
    home = household("Fictional Marsh household")
    placement = place(case, cast.leader, home)
    school, call = agree(placement, cast.worker).items.all()
    sign_in(cast.worker)
    page.goto(case.get_absolute_url())
    section = page.locator("section#care")
    section.get_by_text("1 placement in 12 months").wait_for()
    assert_accessible(page)
    section.get_by_role("link", name=home.name).click()
    page.get_by_role("heading", name=f"Placement with {home.name}").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Record a carer visit").click()
    page.get_by_role("heading", name="Record a carer visit").wait_for()
    assert_accessible(page)
    # Yesterday morning: in the past whatever the hour the test runs.
    page.get_by_label("Date of the visit").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Carer(s) met").fill("Jo Marsh")
    page.get_by_label("Support given to the carer").fill("Talked through the school mornings")
    page.get_by_label("Transport", exact=True).check()
    school_group = page.get_by_role("group", name=re.compile("Take the child to school"))
    school_group.get_by_label("Concern").check()
    page.get_by_role("group", name=re.compile("Fortnightly phone call")).get_by_label("On track").check()
    # A concern without a note is refused with the reason, and what was typed stays.
    page.get_by_role("button", name="Save the carer visit").click()
    page.get_by_text("Say what the concern is.").wait_for()
    assert_accessible(page)
    assert page.get_by_label("Carer(s) met").input_value() == "Jo Marsh"
    page.get_by_label(re.compile("Note on .Take the child to school")).fill("Late to school four times")
    page.get_by_role("button", name="Save the carer visit").click()
    page.get_by_text(re.compile("1 concern sent as an alert")).wait_for()
    assert_accessible(page)
    assert "Late to school four times" in page.content()
    visit = CarerVisit.objects.get()
    assert dict(AgreementCheck.objects.filter(visit=visit).values_list("item_id", "status")) == {
        school.pk: "concern", call.pk: "on_track"}
    alert = Alert.objects.get(key=f"carer-visit-concern:{visit.pk}")
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}
    page.goto("/alerts/")
    page.get_by_text(re.compile(f"{case.reference}: placement agreement concern")).first.wait_for()
    assert_accessible(page)
