"""The other contact and scheduler pages people use, opened in a real browser: each
shows what it should and has no serious or critical accessibility violations."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from contacts.models import ContactDraft, ScheduledVisit
from contacts.recompute import case_months_recompute
from contacts.services import ContactInput, contact_record
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_pages_timeline_month_drafts_and_visits(page, sign_in, cast):
    case = make_family_case(cast.worker, risk="low", children=1)
    contact = contact_record(user=cast.worker, case=case, data=ContactInput(
        occurred_at=timezone.now() - dt.timedelta(hours=1), kind="face_to_face", made_by=cast.worker,
        participants=case.children, purpose="Monthly visit", location="office"))
    case_months_recompute(cases=Case.objects.all(), month=timezone.localdate())
    ContactDraft.objects.create(case=case, author=cast.worker, data={"purpose": "Half-written visit"})
    ScheduledVisit.objects.create(case=case, scheduled_for=timezone.localdate() + dt.timedelta(days=2))
    month = timezone.localdate().strftime("%Y-%m")
    sign_in(cast.worker)
    for url, text in [
        (f"/contacts/case/{case.reference}/timeline/", "Monthly visit"),
        (f"/contacts/{contact.pk}/", "Add an addendum"),
        (f"/contacts/case/{case.reference}/month/{month}/", "Face-to-face with"),
        ("/contacts/drafts/", "Half-written visit"),
        ("/contacts/visits/", case.reference),
        ("/contacts/dashboard/", case.reference),
        ("/alerts/", "My alerts"),
    ]:
        page.goto(url)
        assert text in page.content(), url
        assert_accessible(page)


def test_administrator_starts_a_recompute_and_watches_it_finish(page, sign_in, cast):
    make_family_case(cast.worker, risk="low", children=1)
    sign_in(cast.administrator)
    page.goto("/contacts/runs/")
    assert_accessible(page)
    page.get_by_role("button", name="Recompute now").click()
    page.wait_for_url("**/contacts/runs/*/")
    page.get_by_text("Finished").wait_for()
    assert page.locator("progress").get_attribute("value") == "100"
    assert_accessible(page)


def test_administrator_sees_failed_and_stuck_runs_and_a_clear_answer_when_the_queue_is_down(page, sign_in, cast,
                                                                                            monkeypatch):
    from kombu.exceptions import OperationalError

    from contacts import compliance, tasks
    from contacts.models import ComplianceRun, RunChunk

    make_family_case(cast.worker, risk="low", children=1)
    make_family_case(cast.other_team_worker, risk="low", children=1)
    failed = compliance.run_start(kind="nightly", month=timezone.localdate())
    ComplianceRun.objects.filter(pk=failed.pk).update(
        failed_at=timezone.now(), failure_reason=f"No progress on {cast.team_a.name} after 3 sends; "
                                                 "the next run recomputes the month.")
    stuck = compliance.run_start(kind="manual", month=timezone.localdate())
    RunChunk.objects.filter(run=stuck).update(sent_at=timezone.now() - dt.timedelta(hours=1), sends=2)
    sign_in(cast.administrator)
    page.goto("/contacts/runs/")
    failed_row = page.get_by_role("row").filter(has_text="Nightly recompute")
    assert "Failed" in failed_row.inner_text() and f"No progress on {cast.team_a.name}" in failed_row.inner_text()
    stuck_row = page.get_by_role("row").filter(has_text="Stuck")
    assert "2 teams without progress for 20 minutes" in stuck_row.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Nightly recompute").click()
    page.get_by_text("No progress on").wait_for()
    assert page.get_by_role("table", name="Teams").is_visible()
    assert_accessible(page)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_fan_out, "apply_async", broker_down)  # the live server runs in this process
    page.goto("/contacts/runs/")
    page.get_by_role("button", name="Recompute now").click()
    page.get_by_text("The task queue is not answering; nothing was started.").wait_for()
    assert page.url.endswith("/contacts/runs/")
    assert ComplianceRun.objects.count() == 2
    assert_accessible(page)
