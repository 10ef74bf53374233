"""A team leader opens the dashboard, sees a shortfall for a case, drills down to it and
acknowledges the alert."""

import pytest
from django.utils import timezone

from alerts.models import Alert
from cases.models import Case
from contacts import compliance, rules
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_leader_drills_into_a_shortfall_and_acknowledges_its_alert(page, sign_in, cast):
    case = make_family_case(cast.worker, risk="moderate", children=1)
    last = rules.add_months(timezone.localdate().replace(day=1), -1)
    compliance.case_months_recompute(cases=Case.objects.all(), month=last)
    compliance.month_freeze(cases=Case.objects.all(), month=last)

    sign_in(cast.leader)
    page.goto("/contacts/dashboard/")
    assert_accessible(page)
    table = page.locator("table.rates").filter(has_text=cast.team_a.name)
    table.get_by_role("link", name="0.0%").first.click()
    page.wait_for_url("**/dashboard/cases/**")
    assert_accessible(page)
    row = page.locator("tr", has_text=case.reference)
    assert "Short" in row.inner_text()
    row.get_by_role("link", name=case.reference).click()
    assert "contact in" in page.locator("h1").inner_text().lower()

    page.get_by_role("link", name="Alerts").first.click()
    page.wait_for_url("**/alerts/")
    assert_accessible(page)
    assert page.locator(".bell .count").inner_text() == "1"
    alert_id = Alert.objects.get().pk
    page.get_by_role("button", name=f"Acknowledge {case.reference}: contact shortfall in {last:%B %Y}").click()
    page.locator(f"#alert-{alert_id}", has_text="Acknowledged").wait_for()
    assert Alert.objects.get().status == "acknowledged"


def test_manager_sees_the_compliance_chart_and_tables(page, sign_in, cast):
    make_family_case(cast.worker, risk="low", children=1)
    compliance.case_months_recompute(cases=Case.objects.all(), month=timezone.localdate())
    sign_in(cast.manager)
    page.goto("/contacts/dashboard/")
    page.wait_for_function("() => window.Chart && Chart.getChart('compliance-chart') !== undefined")
    for heading in ("Compliance by office", "Compliance by team", "Compliance by risk level",
                    "Compliance by case type"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert_accessible(page)


def test_the_managers_tables_fit_a_1366_pixel_screen(page, sign_in, cast):
    for risk in ("low", "moderate", "high"):
        make_family_case(cast.worker, risk=risk, children=1)
    make_family_case(cast.worker, children=1, intervention="ltg_suitable_person")
    compliance.case_months_recompute(cases=Case.objects.all(), month=timezone.localdate())
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(cast.manager)
    page.goto("/contacts/dashboard/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
    for table in page.locator("table.rates").all():
        box = table.bounding_box()
        assert box["x"] + box["width"] <= 1366
