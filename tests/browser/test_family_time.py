"""Children in care in a real browser, with the axe check on every page: a team leader approves
the move of a family-time plan to its next stage; a caseworker records a missed session and the
alert reaches the inbox; a review with a poor prognosis is completed only once the alternate
permanent plan is endorsed."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from caseplans import services as plan_services
from tests.browser.conftest import assert_accessible
from tests.care.conftest import arrange, put_in_care, staged
from tests.caseplans.conftest import endorsed_plan
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def _case_in_care(cast):
    case = make_family_case(cast.worker, children=1)
    put_in_care(case.children[0])
    return case


def test_progress_a_family_time_plan_with_the_team_leaders_approval(page, sign_in, cast):
    case = _case_in_care(cast)
    arrangement = staged(arrange(case.children[0], cast.worker), cast.worker)

    sign_in(cast.worker)
    page.goto(case.get_absolute_url())
    page.get_by_role("heading", name="Family time and cultural support").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("once a fortnight")).click()
    page.get_by_role("heading", name=re.compile("Family time:")).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Ask to move to stage 1").click()
    assert_accessible(page)
    page.get_by_label("Rationale").fill("Four sessions without concerns; the child settles quickly afterwards.")
    page.get_by_role("button", name="Ask for approval").click()
    page.locator("#pending-progression").wait_for()
    _sign_out(page)

    sign_in(cast.leader)
    page.goto("/care/family-time/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Decide the move of {case.reference}")).click()
    page.get_by_role("heading", name="Decide the move to stage 1").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Decide").click()  # nothing chosen: refused with a message
    page.get_by_text("This field is required.").wait_for()
    page.get_by_label("Reject it").check()
    page.get_by_role("button", name="Decide").click()
    page.get_by_text("Say why the move is rejected.").wait_for()
    assert_accessible(page)
    page.get_by_label("Approve the move").check()
    page.get_by_label("Comment").fill("Agreed: weekly visits from now.")
    page.get_by_role("button", name="Decide").click()
    page.get_by_text("Stage 1 approved.").wait_for()
    assert page.locator("#stage-1 .stage-current").inner_text() == "Current"
    assert "once a week" in page.locator("#family-time-frequency").inner_text()
    assert "Agreed: weekly visits from now." in page.content()
    assert_accessible(page)
    arrangement.refresh_from_db()
    assert arrangement.period == "week"


def test_record_a_missed_session_and_see_the_alert(page, sign_in, cast):
    case = _case_in_care(cast)
    arrangement = arrange(case.children[0], cast.worker)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    sign_in(cast.worker)
    page.goto(arrangement.get_absolute_url())
    page.get_by_role("link", name="Record a session").click()
    page.get_by_role("heading", name="Record a family-time session").wait_for()
    assert_accessible(page)
    page.get_by_label("Date").fill(yesterday)
    page.get_by_role("radio", name="Missed").check()
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Say who missed or cancelled the session.").wait_for()
    assert_accessible(page)
    page.get_by_label("Missed or cancelled by").select_option("parent")
    page.get_by_label("Observations").fill("Father did not arrive and did not call.")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Session recorded. The caseworker and team leader are alerted.").wait_for()
    assert page.locator("tr.session-missed").count() == 1
    page.goto("/alerts/")
    alert = page.get_by_text(re.compile(f"{case.reference}: family time missed on"))
    alert.first.wait_for()
    assert case.children[0].person.given_name not in page.locator("main").inner_text()
    assert_accessible(page)
    _sign_out(page)

    sign_in(cast.leader)
    page.goto("/alerts/")
    page.get_by_text(re.compile(f"{case.reference}: family time missed on")).first.wait_for()
    assert_accessible(page)


def test_complete_a_review_that_needs_an_alternate_plan(page, sign_in, cast):
    case = _case_in_care(cast)
    first = endorsed_plan(case, cast.worker, cast.leader)
    draft = plan_services.plan_review_start(user=cast.worker, plan=first)
    plan_services.plan_update(user=cast.worker, plan=draft, lock_version=draft.lock_version,
                              review_date=timezone.localdate() + dt.timedelta(days=90))
    name = case.children[0].person.given_name

    sign_in(cast.worker)
    page.goto(draft.get_absolute_url())
    page.get_by_role("heading", name="Concurrent planning").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=f"Record the prognosis for {name}").click()
    assert_accessible(page)
    page.get_by_label("Poor").check()
    page.get_by_label("Reasons").fill("The parents have not engaged with treatment in nine months.")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("The prognosis is poor: an alternate permanent plan is needed.").wait_for()
    page.get_by_role("button", name="Submit for endorsement").click()
    page.get_by_text(re.compile("The prognosis for .* is poor: record the alternate permanent plan")).first.wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=f"Record the alternate plan for {name}").click()
    page.get_by_label("With whom").fill("Maternal aunt and her partner")
    page.get_by_label("Legal path").select_option("ltg_suitable_person")
    page.get_by_label("People searched for").fill("Grandparents, two aunts, paternal uncle")
    page.get_by_label("People assessed, and the outcome").fill("Maternal aunt: suitable. Uncle: declined.")
    assert_accessible(page)
    page.get_by_role("button", name="Record").click()
    page.get_by_role("button", name="Submit for endorsement").click()
    page.get_by_text(re.compile("needs the team leader's endorsement")).first.wait_for()
    assert page.locator("#plan-status").inner_text() == "Draft"
    _sign_out(page)

    sign_in(cast.leader)
    page.goto(draft.get_absolute_url())
    page.get_by_role("link", name=f"Endorse or return the alternate plan for {name}").click()
    assert_accessible(page)
    page.get_by_label("Endorse the alternate plan").check()
    page.get_by_role("button", name="Decide").click()
    page.get_by_text("Alternate plan endorsed.").wait_for()
    assert "Endorsed" in page.locator(".alternate-status").inner_text()
    _sign_out(page)

    sign_in(cast.worker)
    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Submit for endorsement").click()
    page.get_by_text("Plan submitted to the team leader for endorsement.").wait_for()
    _sign_out(page)

    sign_in(cast.leader)
    page.goto(draft.get_absolute_url())
    page.get_by_role("link", name="Endorse", exact=True).click()
    page.get_by_role("button", name="Endorse").click()
    page.get_by_text("Plan endorsed.").wait_for()
    assert page.locator("#plan-status").inner_text() == "Endorsed"
    assert_accessible(page)
