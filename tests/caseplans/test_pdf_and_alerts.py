"""The PDF copies (parsed with pypdf) and the timeframe alerts of the periodic task."""

import datetime as dt
import io

from django.utils import timezone
from pypdf import PdfReader

from alerts.models import Alert, AlertStatus
from caseplans import selectors
from caseplans import services as plan_services
from caseplans.pdf import render_plan_pdf
from caseplans.tasks import plan_timeframes_check
from casework.dates import day_label
from tests.caseplans.conftest import draft_plan, endorsed_plan


def _pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    """Without spaces: pypdf splits kerned pairs ("T est"), which must not hide a leak."""
    return text.replace(" ", "")


def test_full_pdf_has_reference_every_action_footer_and_draft_watermark(cast, family):
    plan = draft_plan(family, cast.worker, actions=30)
    pages = _pages(render_plan_pdf(plan))
    text = " ".join(pages)
    assert family.reference in text
    for number in range(1, 31):
        assert f"Mother attends counselling session number {number} " in text + " "
    assert "DRAFT — not endorsed" in text
    assert len(pages) > 1
    for index, page in enumerate(pages, start=1):
        assert f"Page {index} of {len(pages)}" in page and f"Case plan {family.reference}" in page
    # The file copy keeps addresses, confidential places and notes.
    assert all(_flat(t) in _flat(text) for t in ("1 Test Street", "12 Hidden Lane", "whereabouts known to police"))


def test_family_copy_leaves_out_addresses_confidential_places_and_notes(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    text = " ".join(_pages(render_plan_pdf(plan, family=True)))
    assert family.reference in text and "copy for the child and family" in text
    assert "Mother attends counselling session number 1" in text
    for secret in ("1 Test Street", "Testville", "12 Hidden Lane", "whereabouts known to police", "Confidential"):
        assert _flat(secret) not in _flat(text)
    assert "A private place" in text


def test_endorsed_pdf_has_no_watermark_and_names_endorsement(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    text = " ".join(_pages(render_plan_pdf(plan)))
    assert "DRAFT" not in text and "Endorsed" in text


def test_pdf_download_from_page(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    response = signed_in(cast.worker).get(f"/plans/cases/{family.reference}/v1/pdf/?copy=family")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "family-copy" in response["Content-Disposition"]
    assert family.reference in " ".join(_pages(response.content))
    assert plan.pk


def _open_alerts(case):
    return {a.kind: a for a in Alert.objects.filter(case=case).exclude(status=AlertStatus.RESOLVED)}


def test_first_plan_alerts_due_soon_then_overdue_then_resolved(cast, family):
    today = timezone.localdate()
    family.substantiated_on = today - dt.timedelta(days=16)  # due in 5 days
    family.save()
    plan_timeframes_check.delay()
    alert = _open_alerts(family)["plan_due"]
    assert family.reference in alert.title and "Child0" not in alert.title
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}
    plan_timeframes_check.delay()  # idempotent
    assert Alert.objects.filter(case=family).count() == 1

    family.substantiated_on = today - dt.timedelta(days=25)
    family.save()
    plan_services.plan_timeframes_check(today=today)
    assert set(_open_alerts(family)) == {"plan_overdue"}

    plan = endorsed_plan(family, cast.worker, cast.leader)
    plan_services.plan_copy_provided(user=cast.worker, plan=plan, provided_on=today, how="Home visit")
    plan_services.plan_timeframes_check(today=today)
    assert _open_alerts(family) == {}


def test_review_and_overdue_action_alerts(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader, review_in_days=30)
    plan_services.plan_copy_provided(user=cast.worker, plan=plan, provided_on=timezone.localdate(), how="Post")
    later = timezone.localdate() + dt.timedelta(days=31)
    plan_services.plan_timeframes_check(today=later)
    alerts = _open_alerts(family)
    assert {"plan_overdue", "action_overdue"} <= set(alerts)
    assert "Plan review overdue" in alerts["plan_overdue"].title


def test_review_alert_stays_until_the_next_version_is_endorsed(cast, family):
    today = timezone.localdate()
    plan = endorsed_plan(family, cast.worker, cast.leader, review_in_days=3)
    plan_services.plan_copy_provided(user=cast.worker, plan=plan, provided_on=today, how="Post")
    draft = plan_services.plan_review_start(user=cast.worker, plan=plan)
    plan_services.plan_timeframes_check(today=today + dt.timedelta(days=4))
    assert "Plan review (under way) overdue" in _open_alerts(family)["plan_overdue"].title

    plan_services.plan_update(user=cast.worker, plan=draft, lock_version=draft.lock_version,
                              review_date=today + dt.timedelta(days=180))
    plan_services.plan_submit(user=cast.worker, plan=draft)
    plan_services.plan_endorse(user=cast.leader, plan=draft)
    plan_services.plan_timeframes_check(today=today + dt.timedelta(days=4))
    assert "plan_overdue" not in _open_alerts(family)


def test_check_runs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    from tests.conftest import make_family_case

    today = timezone.localdate()
    for _ in range(8):
        case = make_family_case(cast.worker)
        case.substantiated_on = today - dt.timedelta(days=30)
        case.save()
    with django_assert_max_num_queries(12):
        assert plan_services.plan_timeframes_check(today=today) == 8


def test_an_action_due_soon_raises_an_alert_naming_its_date_until_it_is_done(cast, family):
    today = timezone.localdate()
    plan = endorsed_plan(family, cast.worker, cast.leader, actions=2)  # due in 14 and 15 days
    first, second = plan.actions.order_by("due_on")
    plan_services.plan_timeframes_check(today=today)
    assert "action_due" not in _open_alerts(family)  # two weeks away: not yet

    week_later = today + dt.timedelta(days=8)  # due in 6 and 7 days (CASEPLAN_DUE_SOON_DAYS = 7)
    plan_services.plan_timeframes_check(today=week_later)
    alert = _open_alerts(family)["action_due"]
    assert alert.title == f"Case plan action due {day_label(first.due_on)}: {family.reference}"
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}
    assert "2 due soon" in selectors.plan_row(_annotated(family, week_later), today=week_later).progress

    plan_services.action_complete(user=cast.worker, action=first, lock_version=first.lock_version,
                                  completed_on=today, progress_note="Done early")
    plan_services.plan_timeframes_check(today=week_later)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert _open_alerts(family)["action_due"].title == f"Case plan action due {day_label(second.due_on)}: {family.reference}"

    past_due = second.due_on + dt.timedelta(days=1)
    plan_services.plan_timeframes_check(today=past_due)
    assert "action_due" not in _open_alerts(family) and "action_overdue" in _open_alerts(family)


def _annotated(case, today):
    from cases.models import Case

    return selectors.annotate_plan_facts(Case.objects.filter(pk=case.pk), today=today).get()


def test_an_action_with_nothing_agreed_prints_words_not_dashes(cast, family):
    plan = draft_plan(family, cast.worker, actions=1)
    plan_services.action_add(user=cast.worker, plan=plan, goal=plan.goals.first(), what="attend counselling",
                             responsible_kind="", responsible_name="", service="", location="",
                             location_confidential=False, due_on=None, measure="")
    text = _flat(" ".join(_pages(render_plan_pdf(plan))))
    row = text.split(_flat("attend counselling"), 1)[1]
    assert row.startswith(_flat("Nobody named yet Not set No date set Not agreed yet Not yet"))
    assert "—" not in text.replace(_flat("DRAFT — not endorsed"), "")
