"""Celery tasks of the contacts app. They take ids, load, and call a service; the
services make them idempotent. Periodic ones are scheduled in casework/schedule.py."""

import datetime as dt
import itertools
import logging

from celery import group, shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from cases.models import Case
from contacts import compliance
from contacts.models import ComplianceRun, RunKind
from contacts.recompute import case_months_recompute, pending_recomputes_done

log = logging.getLogger(__name__)

RETRY = {"autoretry_for": compliance.TRANSIENT, "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


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


def _publish_chunks(run_id: int, team_ids: list[int]) -> None:
    if team_ids:
        group(compliance_chunk.s(run_id, team_id) for team_id in team_ids).apply_async()


def _catch_up() -> None:
    """Catch up the recomputes a broker outage left behind (they stay for the next run if this fails)."""
    try:
        compliance.pending_recomputes_catch_up()
    except Exception:  # noqa: BLE001 — the run must still go out; the requests stay for the next run
        log.exception("Catching up the pending recomputes failed; they stay for the next run.")


def _fan_out(run: ComplianceRun) -> int:
    """Queue one chunk per team not yet done. They are marked sent before publishing: if the
    publish fails (the broker went away), the watchdog sends them again once they are stale."""
    _publish_chunks(run.pk, compliance.run_chunks_send(run_id=run.pk))
    return run.pk


@shared_task(acks_late=True, **RETRY)
def nightly_compliance() -> int | None:
    """Catch up the recomputes left behind — also when the day's run already exists (a
    second beat instance, a task delivered again) — then, one task per team, recompute the
    current month of the open cases whose result may be out of date, bring "at risk" up to
    today for all of them, and warn early (compliance.month_refresh)."""
    _catch_up()
    run = compliance.run_start(kind=RunKind.NIGHTLY, month=timezone.localdate().replace(day=1))
    return _fan_out(run) if run else None


@shared_task(acks_late=True, **RETRY)
def run_fan_out(run_id: int) -> int | None:
    """Queue the chunks of a run created elsewhere (the administrators' "recompute now");
    a run deleted because this task seemed not to reach the queue is left alone."""
    run = ComplianceRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    _catch_up()
    return _fan_out(run)


@shared_task(acks_late=True, **RETRY)
def close_due_months() -> int | None:
    """Close the month whose grace period has ended: final recompute, freeze, shortfall alerts."""
    _catch_up()
    month = compliance.month_to_close(timezone.localdate())
    if not compliance.month_needs_closing(month):
        return None
    run = compliance.run_start(kind=RunKind.MONTH_CLOSE, month=month)
    return _fan_out(run) if run else None


@shared_task(acks_late=True, **RETRY)
def runs_watch() -> int:
    """Every 15 minutes: send again the chunks of runs without progress, fail the runs that
    cannot finish (see compliance.runs_watch). A failed publish here leaves the chunks
    marked sent: the next watch finds them stale again."""
    resend = compliance.runs_watch()
    for run_id, chunks in itertools.groupby(resend, key=lambda chunk: chunk[0]):
        _publish_chunks(run_id, [team_id for _, team_id in chunks])
    return len(resend)


# --- Starting work from a request ---------------------------------------------------------

# What a publish raises when the broker is not answering.
QUEUE_DOWN = (BrokerUnavailable, ConnectionError, TimeoutError)


class QueueUnavailable(Exception):
    """The broker did not take the task; nothing was started."""


def manual_run_start(*, by) -> ComplianceRun:
    """Start a "recompute now" run and queue its fan-out. Call it outside a transaction: the
    run is committed before the task is published, so a worker always finds it. If the
    broker does not take the task, the run is deleted again and QueueUnavailable raised, so
    no run is left that could never finish."""
    run = compliance.run_start(kind=RunKind.MANUAL, month=timezone.localdate().replace(day=1), by=by)
    try:
        run_fan_out.delay(run.pk)
    except QUEUE_DOWN as error:
        log.warning("Could not queue run %s; deleting it.", run.pk, exc_info=True)
        run.delete()
        raise QueueUnavailable("The task queue is not answering; nothing was started. "
                               "Try again in a few minutes.") from error
    return run


@shared_task(acks_late=True, **RETRY)
def escalate_shortfalls() -> int:
    return compliance.escalate_shortfalls()


@shared_task(acks_late=True, **RETRY)
def planned_visits_mark_missed(today: str | None = None) -> int:
    """Every day: mark missed the planned visits whose day passed without a contact. ``today``
    (an ISO date) is the agency day the run is for; idempotent (see visits_mark_missed)."""
    from contacts.visits import visits_mark_missed

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return visits_mark_missed(today=day)
