"""A safety plan is approved for a child back home: the team leader follows the alert to the
month page, which says more than the standard is required, and records why no increase of
contact is needed; the alert is resolved (seed 000, 4.2)."""

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertStatus
from cases.models import Case
from contacts.recompute import case_months_recompute
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case
from tests.responses.test_additional_contact import _approved_plan, _came_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_leader_follows_the_alert_and_records_that_no_increase_is_needed(page, sign_in, cast):
    case = make_family_case(cast.worker, children=1)
    _came_home(case)
    _approved_plan(cast, case)
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=timezone.localdate().replace(day=1))

    sign_in(cast.leader)
    page.goto("/alerts/")
    page.get_by_role("link", name=f"Case {case.reference}: a safety plan is in place").click()
    page.wait_for_url(f"**/contacts/case/{case.reference}/month/*/")
    assert "more than the standard below is required." in page.content()
    assert_accessible(page)
    page.get_by_label("Why no increase of contact is needed").fill("The grandmother stays daily under the plan")
    page.get_by_role("button", name="Record that no increase is needed").click()
    page.get_by_text("Recorded that no increase of contact is needed.").wait_for()
    assert "No increase needed — recorded by" in page.content()
    assert "The grandmother stays daily under the plan" in page.content()
    assert_accessible(page)
    assert Alert.objects.get(key=f"additional-contact:{case.pk}").status == AlertStatus.RESOLVED
