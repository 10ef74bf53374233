"""A court alert arrives through the API; the caseworker sees it, works through the steps
(including a new safety assessment); the team leader sees the response completed."""

import json

import pytest

from responses import services
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def _record_step(page, link_name, note):
    page.get_by_role("link", name=link_name).first.click()
    page.wait_for_url("**/steps/*/")
    page.get_by_label("What was done").fill(note)
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_url("**/responses/*/")


def test_court_alert_arrives_caseworker_responds_and_team_leader_sees_it_completed(page, sign_in, cast,
                                                                                    live_server):
    case = make_family_case(cast.worker)
    system, token = services.sending_system_create(name="Court information exchange")

    answer = page.request.post(f"{live_server.url}/api/inbound/", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data=json.dumps({"message_id": "ETCR-77", "kind": "court_alert", "case_reference": case.reference,
                         "person_id": case.parents[0].person.pk, "summary": "Father charged with assault"}))
    assert answer.status == 201, answer.text()

    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    assert page.locator("#responses .status-short").inner_text() == "Open"
    assert_accessible(page)
    page.get_by_role("link", name="Court alert: Father charged with assault").click()
    page.wait_for_url("**/responses/*/")
    assert_accessible(page)
    page.get_by_role("button", name="Mark as viewed").click()
    page.wait_for_url("**/responses/*/")

    page.get_by_role("link", name="Complete the safety assessment").click()
    page.wait_for_url("**/safety-assessments/new/**")
    assert_accessible(page)
    page.get_by_label("Safe with a safety plan").check()
    page.get_by_label("Safety threats found").fill("Father may return to the home")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/responses/*/")
    assert "Done" in page.locator("#step-safety_assessment").inner_text()

    _record_step(page, "Record this step", "Discussed with the mother; father bailed to another address")
    _record_step(page, "Record this step", "Victim Assist information given to the mother")
    _record_step(page, "Record this step", "Case plan stays; intervention type unchanged")
    _record_step(page, "Record this step", "Children stay at home with the mother")
    assert page.locator(".response-status").inner_text().startswith("Response completed")
    _sign_out(page)

    sign_in(cast.leader)
    page.goto(f"/cases/{case.reference}/")
    assert page.get_by_text("Response completed").is_visible()
    assert_accessible(page)
