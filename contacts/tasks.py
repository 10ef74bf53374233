"""Celery tasks of the contacts app. They take ids, load, and call a service; the
services make them idempotent. Periodic ones are scheduled in casework/schedule.py."""

import datetime as dt
import logging

from celery import group, shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case
from contacts import compliance
from contacts.models import ComplianceRun, RunKind
from contacts.services import case_months_recompute, pending_recomputes_done

log = logging.getLogger(__name__)

TRANSIENT = (ConnectionError, TimeoutError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(acks_late=True, **RETRY)
def recompute_case_months(case_id: int, months: list[str], by_user_id: int | None = None, reason: str = "") -> int:
    """Recompute the stored evaluation of one case for the given months (ISO dates); a
    closed month is amended only with a reason (see case_months_recompute).
    Idempotent: the result is an upsert on (case, month), an amendment is recorded only
    when the result changes."""
    by = get_user_model().objects.filter(pk=by_user_id).first() if by_user_id else None
    cases = Case.objects.filter(pk=case_id)
    months = [dt.date.fromisoformat(month) for month in months]
    requested_until = timezone.now()
    for month in months:
        case_months_recompute(cases=cases, month=month, by=by, reason=reason)
    pending_recomputes_done(case_ids=[case_id], months=months, requested_until=requested_until)
    return len(months)


@shared_task(acks_late=True, **RETRY)
def compliance_chunk(run_id: int, team_id: int) -> int:
    return compliance.chunk_process(run_id=run_id, team_id=team_id)


def _fan_out(run: ComplianceRun) -> int:
    """Catch up the recomputes a broker outage left behind, then queue one chunk per team."""
    try:
        compliance.pending_recomputes_catch_up()
    except Exception:  # noqa: BLE001 — the run must still go out; the requests stay for the next run
        log.exception("Catching up the pending recomputes failed; they stay for the next run.")
    chunks = compliance.run_chunks(run)
    if chunks:
        group(compliance_chunk.s(run.pk, team_id) for team_id in chunks).apply_async()
    else:
        ComplianceRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return run.pk


@shared_task(acks_late=True, **RETRY)
def nightly_compliance() -> int | None:
    """Recompute the current month for every open case, one task per team, and warn early."""
    run = compliance.run_start(kind=RunKind.NIGHTLY, month=timezone.localdate().replace(day=1))
    return _fan_out(run) if run else None


@shared_task(acks_late=True, **RETRY)
def run_fan_out(run_id: int) -> int:
    """Queue the chunks of a run created elsewhere (the administrators' "recompute now")."""
    return _fan_out(ComplianceRun.objects.get(pk=run_id))


@shared_task(acks_late=True, **RETRY)
def close_due_months() -> int | None:
    """Close the month whose grace period has ended: final recompute, freeze, shortfall alerts."""
    month = compliance.month_to_close(timezone.localdate())
    if not compliance.month_needs_closing(month):
        return None
    run = compliance.run_start(kind=RunKind.MONTH_CLOSE, month=month)
    return _fan_out(run) if run else None


@shared_task(acks_late=True, **RETRY)
def escalate_shortfalls() -> int:
    return compliance.escalate_shortfalls()
