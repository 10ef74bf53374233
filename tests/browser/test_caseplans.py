"""A caseworker drafts a case plan with three actions and submits it; the team leader returns
it with a comment; the caseworker fixes it; the team leader endorses it; the PDF downloads."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_caseworker_drafts_leader_returns_caseworker_fixes_leader_endorses_pdf_downloads(page, sign_in, cast):
    case = make_family_case(cast.worker, children=1)
    case.substantiated_on = timezone.localdate() - dt.timedelta(days=5)
    case.save()
    review = (timezone.localdate() + dt.timedelta(days=120)).isoformat()
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()

    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    assert page.get_by_text("First plan endorsed and copy provided").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Start the case plan").click()
    page.wait_for_url("**/new/")
    assert_accessible(page)
    page.get_by_label("How the plan was made").select_option("family_led")
    page.get_by_label("Visits agreed").fill("Home visit every fortnight")
    page.get_by_label("Review date").fill(review)
    page.get_by_label("Permanency objective for Child0").select_option("remain_home")
    page.get_by_role("button", name="Start the draft").click()
    page.wait_for_url("**/v1/")
    assert page.locator("#plan-status").inner_text() == "Draft"
    assert_accessible(page)

    page.get_by_role("link", name="Add a concern").click()
    page.get_by_label("Protective concern").fill("The children saw violence at home")
    page.get_by_label("Family's strengths").fill("Grandmother is protective")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/v1/")
    page.get_by_role("link", name="Add a goal").click()
    page.locator("#id_text").fill("The children live safely at home")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/v1/")

    for number, who in enumerate(["Parent0 Testfamily", "Child Safety", "Counselling service"], start=1):
        page.get_by_role("link", name="Add an action").click()
        page.wait_for_url("**/actions/new/")
        if number == 1:
            assert_accessible(page)
            page.get_by_label("What will be done").fill("Mother will try to attend counselling")
            assert "Vague wording" in page.locator("#smart-live").inner_text()  # warned while typing
        page.get_by_label("What will be done").fill(f"Action {number}: attend the agreed appointment each week")
        page.get_by_label("Name of the person or service responsible").fill(who)
        page.get_by_label("Due date").fill(due)
        if number != 2:
            page.get_by_label("How completion will be measured").fill("Attendance confirmed in writing")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/v1/")
    assert page.locator("#actions-table tbody tr").count() == 3
    assert "No measure of how completion will be known." in page.locator("#actions-table").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for endorsement").click()
    page.wait_for_url("**/v1/")
    assert page.locator("#plan-status").inner_text() == "Submitted for endorsement"
    _sign_out(page)

    sign_in(cast.leader)
    page.get_by_role("link", name="Case plans due").click()
    page.wait_for_url("**/plans/due/")
    assert_accessible(page)
    page.get_by_role("link", name="Awaiting your endorsement").click()
    page.wait_for_url("**/v1/")
    page.get_by_role("link", name="Return with comments").click()
    assert_accessible(page)
    page.get_by_label("What needs to change").fill("Action 2 needs a measure of completion")
    page.get_by_role("button", name="Return with comments").click()
    page.wait_for_url("**/v1/")
    assert page.locator("#plan-status").inner_text() == "Returned with comments"
    _sign_out(page)

    sign_in(cast.worker)
    page.goto(f"/plans/cases/{case.reference}/v1/")
    assert "Action 2 needs a measure" in page.locator("#return-comment").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Change action 2").click()
    page.wait_for_url("**/actions/*/")
    page.get_by_label("How completion will be measured").fill("Caseworker's visit notes record it")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/v1/")
    assert "No measure" not in page.locator("#actions-table").inner_text()
    page.get_by_role("button", name="Submit for endorsement").click()
    page.wait_for_url("**/v1/")
    _sign_out(page)

    sign_in(cast.leader)
    page.goto(f"/plans/cases/{case.reference}/v1/")
    page.get_by_role("link", name="Endorse").click()
    page.wait_for_url("**/endorse/")
    assert_accessible(page)
    page.get_by_role("button", name="Endorse").click()
    page.wait_for_url("**/v1/")
    assert page.locator("#plan-status").inner_text() == "Endorsed"
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF (full plan)").click()
    download = download_info.value
    assert download.suggested_filename == f"case-plan-{case.reference}-v1-full.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_caseworker_records_copy_ticks_off_an_action_and_reviews_the_plan(page, sign_in, cast):
    """The pages after endorsement, each checked for accessibility: copy provided, progress on an
    action, assessing a goal at review, and the next version drafted from the review."""
    from caseplans.models import CasePlan
    from tests.caseplans.conftest import endorsed_plan

    case = make_family_case(cast.worker, children=1)
    plan = endorsed_plan(case, cast.worker, cast.leader)
    today = timezone.localdate().isoformat()
    sign_in(cast.worker)
    page.goto(f"/cases/{case.reference}/")
    assert "0 of 3 actions complete" in page.locator("#caseplan").inner_text()
    page.get_by_role("link", name="Version 1 (in force)").click()
    page.wait_for_url("**/v1/")

    page.get_by_role("link", name="Record copy provided").click()
    assert_accessible(page)
    page.get_by_label("How the copy was provided").fill("Given to the mother at a home visit")
    page.get_by_label("Child and parents told of their right to a review on").fill(today)
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/v1/")
    assert page.locator("#plan-status").inner_text() == "Endorsed, copy provided"

    page.get_by_role("link", name="Record progress on action 1").click()
    assert_accessible(page)
    page.get_by_label("Progress").fill("Attended; the counsellor confirmed by phone")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/v1/")
    assert page.locator("#plan-progress").inner_text() == "1 of 3 actions complete"

    page.get_by_role("link", name="Assess progress on goal 1").click()
    assert_accessible(page)
    page.get_by_label("Progress").select_option("progressing")
    page.get_by_label("Evidence").fill("Three home visits found the children safe and settled")
    page.get_by_label("Recommendation").select_option("continue")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/v1/")

    page.get_by_role("button", name="Start a review (new version)").click()
    page.wait_for_url("**/v2/")
    assert page.locator("#plan-status").inner_text() == "Draft"
    assert page.locator("#actions-table tbody tr").count() == 2  # the open actions carried forward
    assert_accessible(page)
    page.get_by_role("link", name="Change the plan details").click()
    assert_accessible(page)
    page.get_by_label("Review date").fill((timezone.localdate() + dt.timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/v2/")
    page.get_by_role("link", name="Add a goal").click()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Add a concern").click()
    assert_accessible(page)
    assert CasePlan.objects.get(pk=plan.pk).status == "under_review"
    assert CasePlan.objects.get(case=case, version=2).review_date is not None
