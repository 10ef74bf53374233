"""The compliance scheduler's services: nightly recompute in chunks, early warnings,
month close with shortfall alerts, escalation. Tasks (contacts/tasks.py) call these;
they are idempotent, so running twice, concurrently or after a crash is safe."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertRecipient, AlertStatus
from alerts.services import AlertSpec, alerts_raise_many, alerts_resolve_many, through_restriction
from cases.models import Case, Role, User
from casework.dates import moment_label
from contacts import rules
from contacts.models import CaseMonth, ComplianceRun, MonthStatus, PendingRecompute, RunChunk, RunKind
from contacts.recompute import (
    SHORTFALL_KEY,
    at_risk_refresh,
    case_months_recompute,
    cases_needing_recompute,
    pending_recomputes_done,
)
from contacts.results import stored_result

log = logging.getLogger(__name__)


def cases_open_in(month: dt.date):
    """Cases open on at least one day of ``month``."""
    month = rules.month_start(month)
    return Case.objects.filter(opened_on__lte=rules.month_end(month)).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=month))


def month_to_close(today: dt.date) -> dt.date:
    """The month whose grace period for late recording ended most recently."""
    previous = rules.add_months(today.replace(day=1), -1)
    grace_over = today.day > settings.MONTH_CLOSE_GRACE_DAYS
    return previous if grace_over else rules.add_months(previous, -1)


# --- Recomputes that were never queued ----------------------------------------------------

# A request younger than this is left to its queued task, which is probably about to run.
PENDING_GRACE = dt.timedelta(minutes=10)


def pending_recomputes_catch_up(*, older_than: dt.timedelta = PENDING_GRACE) -> int:
    """Recompute every case-month whose queued recompute never ran (the broker was down
    when the change was saved, or a worker lost the task): one recompute per month and
    requesting person, never one per case. Returns the number of case-months."""
    until = timezone.now() - older_than
    groups = defaultdict(list)
    for case_id, month, by_id, reason in PendingRecompute.objects.filter(requested_at__lte=until).values_list(
            "case_id", "month", "requested_by_id", "reason"):
        groups[month, by_id, reason].append(case_id)
    people = User.objects.in_bulk({by_id for _, by_id, _ in groups if by_id})
    for (month, by_id, reason), case_ids in sorted(groups.items(), key=lambda group: group[0][0]):
        case_months_recompute(cases=Case.objects.filter(pk__in=case_ids), month=month, by=people.get(by_id),
                              reason=reason)
        pending_recomputes_done(case_ids=case_ids, months=[month], requested_until=until)
    if groups:
        log.info("Caught up %d case-months whose recompute was never queued.", sum(map(len, groups.values())))
    return sum(map(len, groups.values()))


# --- Runs --------------------------------------------------------------------------------
#
# A run has one chunk per team (RunChunk). The fan-out marks the chunks sent and publishes
# them; a worker marks its chunk started, recomputes, and finishes it with a conditional
# UPDATE: only the delivery that finishes it moves the run's counters, so a chunk the
# broker delivers again after its worker was lost (visibility timeout) counts once. Chunks
# with no progress for COMPLIANCE_CHUNK_STALE_MINUTES were lost (killed at the hard time
# limit, or a publish that never reached the queue): the watchdog sends them again, and
# fails the run once a chunk was sent COMPLIANCE_CHUNK_MAX_SENDS times.

# Errors worth another try: the chunk's task retries them, so they do not finish the chunk.
TRANSIENT = (ConnectionError, TimeoutError)


def run_start(*, kind: str, month: dt.date, by=None, today: dt.date | None = None) -> ComplianceRun | None:
    """Create a run with one chunk per team that has cases open in ``month`` (a run without
    teams is finished at once). A scheduled run exists once per day and month: a second
    beat instance gets None and does nothing."""
    today = today or timezone.localdate()
    month = rules.month_start(month)
    teams = sorted(set(cases_open_in(month).order_by().values_list("team_id", flat=True)))
    if kind == RunKind.NIGHTLY:
        teams = _nightly_chunk_teams(teams, month)
    now = timezone.now()
    try:
        with transaction.atomic():
            run = ComplianceRun.objects.create(kind=kind, month=month, run_on=today, total_chunks=len(teams),
                                               triggered_by=by, finished_at=None if teams else now)
            RunChunk.objects.bulk_create([RunChunk(run=run, team_id=team_id, sent_at=now) for team_id in teams])
            return run
    except IntegrityError:
        log.info("A %s run for %s on %s already exists; not starting another.", kind, month, today)
        return None


# A nightly run's chunk takes consecutive teams until about this many of their case-months
# need a recompute: the nightly run's fixed cost per chunk (some thirty queries) then stays
# small beside the work, and a big night (a new month, a rule change) still spreads over
# the workers. The full runs keep one chunk per team.
NIGHTLY_CHUNK_CASES = 2000


def _nightly_chunk_teams(teams: list[int], month: dt.date) -> list[int]:
    """The first team of each chunk of a nightly run (see RunChunk): consecutive teams are
    put together until their case-months needing a recompute reach NIGHTLY_CHUNK_CASES."""
    stale = dict(cases_needing_recompute(cases_open_in(month), month).order_by().values("team_id")
                 .annotate(count=Count("pk")).values_list("team_id", "count"))
    starts, gathered = [], None
    for team_id in teams:
        if gathered is None:
            starts.append(team_id)
            gathered = 0
        gathered += stale.get(team_id, 0)
        if gathered >= NIGHTLY_CHUNK_CASES:
            gathered = None
    return starts


def chunk_cases(run: ComplianceRun, team_id: int):
    """The open cases of a chunk: those of its team and of the teams after it, up to the
    next chunk's team (one team per chunk, except in a nightly run; see RunChunk)."""
    cases = cases_open_in(run.month).filter(team_id__gte=team_id)
    following = (RunChunk.objects.filter(run=run, team_id__gt=team_id).order_by("team_id")
                 .values_list("team_id", flat=True).first())
    return cases if following is None else cases.filter(team_id__lt=following)


def run_chunks(run: ComplianceRun) -> list[int]:
    """The teams of the run whose chunk has not finished."""
    return list(RunChunk.objects.filter(run=run, finished_at__isnull=True).order_by("team_id")
                .values_list("team_id", flat=True))


def run_chunks_send(*, run_id: int) -> list[int]:
    """Record that the run's unfinished chunks are being sent now (before publishing: if the
    publish fails, the watchdog finds them stale and sends them again). Returns their teams."""
    teams = run_chunks(ComplianceRun(pk=run_id))
    RunChunk.objects.filter(run_id=run_id, team_id__in=teams).update(sent_at=timezone.now(), sends=F("sends") + 1)
    return teams


def month_refresh(*, cases, month: dt.date) -> int:
    """The nightly run's part for ``cases``: recompute only the case-months that may be out
    of date (never computed, other rules or settings, a change waiting: see
    recompute.cases_needing_recompute), then bring "at risk" up to today for all of them
    from the stored results. Work in proportion to what changed; the full recompute stays
    for the month close and "Recompute now". Returns the number of case-months computed."""
    requested_until = timezone.now()
    stale = list(cases_needing_recompute(cases, month).order_by().values_list("pk", flat=True))
    computed = 0
    if stale:
        computed = case_months_recompute(cases=Case.objects.filter(pk__in=stale), month=month)
        pending_recomputes_done(case_ids=stale, months=[rules.month_start(month)], requested_until=requested_until)
    at_risk_refresh(cases=cases, month=month)
    return computed


def chunk_work(*, kind: str, cases, month: dt.date) -> int:
    """What a chunk of a run of ``kind`` does for its cases: a nightly run recomputes what
    changed (month_refresh), the others every case; a month close then freezes the month,
    the others raise or clear the early warnings. Returns the case-months computed."""
    if kind == RunKind.NIGHTLY:
        processed = month_refresh(cases=cases, month=month)
    else:
        processed = case_months_recompute(cases=cases, month=month)
    if kind == RunKind.MONTH_CLOSE:
        month_freeze(cases=cases, month=month)
    else:
        warnings_refresh(cases=cases, month=month)
    return processed


def chunk_process(*, run_id: int, team_id: int) -> int:
    """Recompute one team's cases for the run's month (a nightly run: only those that
    changed, see month_refresh) and raise or clear early warnings.
    A chunk already finished (delivered again), of a failed run, or of a run deleted
    because its publish failed, does nothing."""
    chunk = RunChunk.objects.select_related("run").filter(run_id=run_id, team_id=team_id).first()
    if chunk is None or chunk.finished_at or chunk.run.failed_at:
        log.info("Chunk of run %s for team %s is finished, failed or gone; nothing to do.", run_id, team_id)
        return 0
    RunChunk.objects.filter(pk=chunk.pk).update(started_at=timezone.now())
    run = chunk.run
    cases = chunk_cases(run, team_id)
    try:
        processed = chunk_work(kind=run.kind, cases=cases, month=run.month)
    except TRANSIENT:
        raise  # not finished: the task tries again, or the watchdog sends it again
    except Exception as error:
        # Not finished either: the error is recorded and the watchdog sends the chunk again
        # (a month close must not leave a team's month open because one attempt failed);
        # after COMPLIANCE_CHUNK_MAX_SENDS the run fails, naming the error.
        _chunk_error(chunk, f"Team {team_id}: {type(error).__name__}: {error}")
        raise
    _chunk_finish(chunk, processed)
    return processed


def _chunk_error(chunk: RunChunk, error: str) -> None:
    with transaction.atomic():
        RunChunk.objects.filter(pk=chunk.pk, finished_at__isnull=True).update(error=error[:500])
        errors = ComplianceRun.objects.select_for_update().filter(pk=chunk.run_id).values_list("errors", flat=True)
        ComplianceRun.objects.filter(pk=chunk.run_id).update(errors=list(errors.get() or []) + [error])


def _chunk_finish(chunk: RunChunk, processed: int) -> bool:
    """Finish the chunk unless another delivery already did; only the winner counts it."""
    now = timezone.now()
    with transaction.atomic():
        if not RunChunk.objects.filter(pk=chunk.pk, finished_at__isnull=True).update(
                finished_at=now, cases_processed=processed, error=""):
            return False
        counts = {"done_chunks": F("done_chunks") + 1, "cases_processed": F("cases_processed") + processed}
        ComplianceRun.objects.filter(pk=chunk.run_id).update(**counts)
        ComplianceRun.objects.filter(pk=chunk.run_id, finished_at__isnull=True, failed_at__isnull=True,
                                     done_chunks__gte=F("total_chunks")).update(finished_at=now)
    return True


def runs_watch(*, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """The watchdog: for every open run, send again its chunks without progress for
    COMPLIANCE_CHUNK_STALE_MINUTES, or mark the run failed when such a chunk has already
    been sent COMPLIANCE_CHUNK_MAX_SENDS times. Each re-send is a conditional update, so
    two watchdogs never send a chunk twice. Returns the (run, team) chunks to publish."""
    now = now or timezone.now()
    stale = defaultdict(list)
    rows = RunChunk.objects.stale(now).order_by("run_id", "team_id")
    for row in rows.values("pk", "run_id", "team_id", "team__name", "sends", "sent_at", "error"):
        stale[row["run_id"]].append(row)
    resend = []
    for run_id, chunks in stale.items():
        exhausted = [c for c in chunks if c["sends"] >= settings.COMPLIANCE_CHUNK_MAX_SENDS]
        if exhausted:
            names = ", ".join(c["team__name"] for c in exhausted)
            errors = [c["error"] for c in exhausted if c["error"]]
            reason = (f"No progress on {names} after {settings.COMPLIANCE_CHUNK_MAX_SENDS} sends "
                      f"(last sent {moment_label(timezone.localtime(max(c['sent_at'] for c in exhausted)))})"
                      + (f"; last error: {errors[-1]}" if errors else "") + "; the next run recomputes the month.")
            if ComplianceRun.objects.filter(pk=run_id, finished_at__isnull=True, failed_at__isnull=True).update(
                    failed_at=now, failure_reason=reason[:500]):
                log.error("Run %s failed: %s", run_id, reason)
            continue
        for chunk in chunks:
            if RunChunk.objects.filter(pk=chunk["pk"], sent_at=chunk["sent_at"], finished_at__isnull=True).update(
                    sent_at=now, sends=F("sends") + 1):
                resend.append((run_id, chunk["team_id"]))
    if resend:
        log.warning("Sending %d stale chunks again: %s", len(resend), resend)
    return resend


# --- Alerts ------------------------------------------------------------------------------

def _recipients(case_rows) -> dict[int, tuple[int, ...]]:
    """case id → (allocated caseworker, the team's leaders), for rows (case_id, caseworker_id, team_id)."""
    leaders = defaultdict(set)
    for user_id, team_id in User.led_teams.through.objects.filter(
        team_id__in={team for _, _, team in case_rows}
    ).values_list("user_id", "team_id"):
        leaders[team_id].add(user_id)
    return {case_id: tuple({worker} | leaders[team]) for case_id, worker, team in case_rows}


def _specs(rows, kind: str, key: str, title: str, month: dt.date) -> list[AlertSpec]:
    recipients = _recipients([(r["case_id"], r["case__caseworker_id"], r["case__team_id"]) for r in rows])
    return [AlertSpec(key=key.format(case=r["case_id"], month=month), kind=kind,
                      title=title.format(reference=r["case__reference"], month=month), case_id=r["case_id"],
                      month=month, link=f"/cases/{r['case__reference']}/", recipient_ids=recipients[r["case_id"]])
            for r in rows]


AT_RISK_KEY = "at-risk:{case}:{month:%Y-%m}"
RISK_MISSING_KEY = "risk-missing:{case}:{month:%Y-%m}"
_FIELDS = ["case_id", "case__reference", "case__caseworker_id", "case__team_id", "status", "at_risk"]


def warnings_refresh(*, cases, month: dt.date) -> None:
    """During the month: warn about cases at risk and months without a risk level; clear
    warnings that no longer apply. Titles name cases by reference only."""
    rows = list(CaseMonth.objects.filter(case__in=cases, month=month).values(*_FIELDS))
    at_risk = [r for r in rows if r["at_risk"]]
    missing = [r for r in rows if r["status"] == MonthStatus.NOT_ASSESSABLE]
    alerts_raise_many(
        _specs(at_risk, AlertKind.AT_RISK, AT_RISK_KEY, "{reference}: contact at risk for {month:%B %Y}", month)
        + _specs(missing, AlertKind.RISK_LEVEL_MISSING, RISK_MISSING_KEY,
                 "{reference}: contact not assessable for {month:%B %Y}", month))
    # Only the warnings still open can need resolving: read those (a few) rather than name
    # the key of every case that is not at risk (nearly all, each night).
    cleared = {AT_RISK_KEY.format(case=r["case_id"], month=month) for r in rows if not r["at_risk"]}
    cleared |= {RISK_MISSING_KEY.format(case=r["case_id"], month=month) for r in rows
                if r["status"] != MonthStatus.NOT_ASSESSABLE}
    still_open = Alert.objects.filter(case__in=cases, month=month, kind__in=[AlertKind.AT_RISK,
                                                                            AlertKind.RISK_LEVEL_MISSING]).exclude(
        status=AlertStatus.RESOLVED).values_list("key", flat=True)
    alerts_resolve_many(key for key in still_open if key in cleared)


def month_freeze(*, cases, month: dt.date) -> int:
    """Close ``month`` for these cases: keep the result as it stood, and raise one shortfall
    alert per case-month short. Rows already closed are left alone (idempotent)."""
    now = timezone.now()
    rows = list(CaseMonth.objects.filter(case__in=cases, month=month, closed_at__isnull=True))
    for row in rows:
        row.closed_at = now
        row.result_at_close = stored_result(row) | {"month": str(month)}
    with transaction.atomic():
        closing = set(CaseMonth.objects.filter(pk__in=[r.pk for r in rows], closed_at__isnull=True)
                      .select_for_update().values_list("pk", flat=True))
        CaseMonth.objects.bulk_update([r for r in rows if r.pk in closing], ["closed_at", "result_at_close"],
                                      batch_size=2000)
    short = list(CaseMonth.objects.filter(pk__in=closing, status__in=[MonthStatus.SHORT, MonthStatus.NOT_ASSESSABLE])
                 .values(*_FIELDS))
    alerts_raise_many(_specs([r for r in short if r["status"] == MonthStatus.SHORT], AlertKind.CONTACT_SHORTFALL,
                             SHORTFALL_KEY, "{reference}: contact shortfall in {month:%B %Y}", month)
                      + _specs([r for r in short if r["status"] == MonthStatus.NOT_ASSESSABLE],
                               AlertKind.RISK_LEVEL_MISSING, RISK_MISSING_KEY,
                               "{reference}: contact not assessable for {month:%B %Y}", month))
    alerts_resolve_many(AT_RISK_KEY.format(case=r.case_id, month=month) for r in rows)
    return len(closing)


def escalate_shortfalls(*, now: dt.datetime | None = None) -> int:
    """Unacknowledged shortfall alerts older than ALERT_ESCALATION_DAYS go to the managers
    of the case's office as well (once)."""
    now = now or timezone.now()
    due = list(Alert.objects.filter(kind=AlertKind.CONTACT_SHORTFALL, status=AlertStatus.NEW, escalated_at__isnull=True,
                                    created_at__lte=now - dt.timedelta(days=settings.ALERT_ESCALATION_DAYS))
               .values_list("pk", "case__team__office_id", "case_id"))
    if not due:
        return 0
    managers = defaultdict(set)
    for user_id, office_id in User.managed_offices.through.objects.filter(
        office_id__in={office for _, office, _case in due}, user__role=Role.MANAGER
    ).values_list("user_id", "office_id"):
        managers[office_id].add(user_id)
    # Managers not named on a restricted case do not see it, so its alert does not reach them.
    allowed = set(through_restriction((case_id, u) for _, office, case_id in due for u in managers[office]))
    with transaction.atomic():
        AlertRecipient.objects.bulk_create(
            [AlertRecipient(alert_id=pk, user_id=u) for pk, office, case_id in due for u in managers[office]
             if (case_id, u) in allowed],
            ignore_conflicts=True)
        Alert.objects.filter(pk__in=[pk for pk, *_ in due], escalated_at__isnull=True).update(escalated_at=now)
    return len(due)


def month_needs_closing(month: dt.date) -> bool:
    """Some case open in ``month`` has no closed result for it yet. One correlated
    ``Exists`` on the same row: an ``exclude()`` across the multi-valued relation would
    match any closed month of the case, not this one."""
    month = rules.month_start(month)
    closed = CaseMonth.objects.filter(case=OuterRef("pk"), month=month, closed_at__isnull=False)
    return cases_open_in(month).filter(~Exists(closed)).exists()
