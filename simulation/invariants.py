"""What must stay true of the agency's records, checked every simulated day.

Each check reads the database set-based (a fixed number of queries, never one per row)
and returns violations: a name, a subject that names a case by reference and a month
(never a person, never a database id), and what was wrong. A deadline that depends on
the scheduler counts from the first time the beat actually sent the task that meets it:
while the broker is down nothing can be sent, and that is not a violation; the runs and
catch-ups after it must then put things right.

The checks (``CHECKS`` holds them in the order they run):

- ``month_closed_after_grace``: a month is closed for every case open in it by the close
  run after its grace day (settings.MONTH_CLOSE_GRACE_DAYS, see
  contacts.compliance.month_to_close), within a run's time limit plus recovery; for a
  case recorded later, by the close run after it was recorded.
- ``open_month_matches_facts``: a stored result of a month not yet closed equals a fresh
  evaluation of the facts (contacts.facts + contacts.rules), unless a recompute is
  waiting for it (PendingRecompute).
- ``closed_month_matches_facts_at_close``: a month's result as closed equals the
  evaluation of the facts at the moment it closed (checked right after each beat task).
- ``closed_month_is_close_plus_amendments``: a closed month's stored result is its
  result as closed followed by its recorded amendments (CaseMonthAmendment, each
  ``result_before`` the previous ``result_after``).
- ``one_shortfall_alert_per_short_closed_month``: exactly one shortfall alert for each
  closed case-month that closed short, is short now or was amended to short in between,
  none for any other month stored.
- ``shortfall_alert_resolved_when_compliant``: that alert is resolved exactly when the
  month's result is compliant (met, or no requirement); the alert of a closed month
  removed from its case (a closing date recorded later, before it) is resolved.
- ``no_duplicate_alerts``: one alert per kind, case and month.
- ``no_month_row_outside_case``: no stored result for a month the case was not open in
  (unless a recompute is waiting for it).
- ``no_run_unfinished``: no run unfinished past its task time limit plus recovery
  (RUN_RECOVERY).
- ``run_chunks_counted_once``: a run never counts more chunks done than it has.
- ``no_pending_after_nightly``: after a nightly run, nothing is left in PendingRecompute
  that was requested more than its grace (contacts.compliance.PENDING_GRACE) before.
- ``escalation_when_unacknowledged``: a shortfall alert still new ALERT_ESCALATION_DAYS
  after it was raised is escalated by the next escalation run, to the office's managers.
- ``no_escalation_of_handled_alert``: an alert acknowledged or resolved in time, or
  younger than ALERT_ESCALATION_DAYS, is not escalated.
- ``no_unexpected_failure``: no task and no staff action fails other than by an injected
  fault (see Invariants.failures).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef

from alerts.models import Alert, AlertKind, AlertRecipient, AlertStatus
from cases.models import Case, User
from contacts import compliance, rules
from contacts.facts import load_month_facts
from contacts.models import CaseMonth, CaseMonthAmendment, ComplianceRun, MonthStatus, PendingRecompute
from contacts.results import evaluation_json, stored_result
from simulation.clock import agency_zone, at

# Beyond a task's hard time limit, the time the scheduler has to notice a lost chunk and
# finish (or fail) its run: a run left unfinished longer is a violation.
RUN_RECOVERY = dt.timedelta(hours=1)
COMPLIANT = (MonthStatus.MET, MonthStatus.NO_REQUIREMENT)
CASE_MONTH_ALERTS = (AlertKind.CONTACT_SHORTFALL, AlertKind.AT_RISK, AlertKind.RISK_LEVEL_MISSING)
CLOSE_TASK = "contacts.tasks.close_due_months"
NIGHTLY_TASK = "contacts.tasks.nightly_compliance"
ESCALATION_TASK = "contacts.tasks.escalate_shortfalls"


def allowance() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + RUN_RECOVERY


@dataclass(frozen=True)
class Violation:
    name: str
    subject: str
    at: dt.datetime
    detail: str

    def as_json(self) -> dict:
        local = self.at.astimezone(agency_zone())
        return {"subject": self.subject, "seen": local.strftime("%Y-%m-%d %H:%M"), "detail": self.detail}


def _label(reference: str, month: dt.date) -> str:
    return f"{reference} {month:%Y-%m}"


def _without_month(result: dict | None) -> dict | None:
    return None if result is None else {k: v for k, v in result.items() if k != "month"}


def _differences(stored: dict, fresh: dict) -> str:
    keys = [k for k in fresh if stored.get(k) != fresh.get(k)]
    shown = ", ".join(f"{k}: {stored.get(k)!r} → {fresh.get(k)!r}" for k in keys
                      if k in ("status", "required_total", "achieved_total", "risk_level", "case_type"))
    if shown:
        return shown
    if "lines" in keys:
        for before, after in zip(stored.get("lines") or [], fresh.get("lines") or [], strict=False):
            fields = [f for f in after if before.get(f) != after.get(f) and f not in ("description", "person_name")]
            if fields:
                return f"line {after.get('code')} ({after.get('role')}): " + ", ".join(
                    f"{f} {before.get(f)!r} → {after.get(f)!r}" for f in fields)
        if len(stored.get("lines") or []) != len(fresh.get("lines") or []):
            return f"{len(stored.get('lines') or [])} lines stored, {len(fresh.get('lines') or [])} evaluated"
    return f"differs in {', '.join(keys)}"


def _run_over(run: ComplianceRun) -> bool:
    """Finished — or, where the model records it, given up as failed."""
    return run.finished_at is not None or getattr(run, "failed_at", None) is not None or \
        getattr(run, "status", "") == "failed"


def _closed_between(since: dt.datetime, now: dt.datetime) -> bool:
    """Whether any case-month was closed in (since, now]. Asked after every beat task (about
    a hundred a simulated day, most of them the runs watchdog's, which closes nothing): one
    plain statement, since building the ORM query each time cost more than the whole check."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {ops.quote_name(CaseMonth._meta.db_table)} "
                       "WHERE closed_at > %s AND closed_at <= %s LIMIT 1",
                       [ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(now)])
        return cursor.fetchone() is not None


@dataclass
class Invariants:
    """The checks, with what they need to know of the simulation: the beat (when tasks
    were sent) and where the tracked history begins (the first month the product closes)."""

    beat: object
    first_month: dt.date
    acknowledged: dict = field(default_factory=dict)  # alert id → when the story acknowledged it
    _last_check: dt.datetime | None = None

    # -- helpers ------------------------------------------------------------------------------

    def _deadline(self, task: str, since: dt.datetime) -> dt.datetime | None:
        sent = self.beat.first_sent(task, since)
        return sent + allowance() if sent else None

    @staticmethod
    def _pending() -> set[tuple[int, dt.date]]:
        return set(PendingRecompute.objects.values_list("case_id", "month"))

    # -- running them -------------------------------------------------------------------------

    def check(self, now: dt.datetime, *, full: bool = False, after_staff: bool = False) -> list[Violation]:
        """Every check. ``full`` re-reads everything; otherwise records that cannot have
        changed since the last check (closed months not written, alerts long settled) are
        not read again. ``after_staff``: only what the day's staff work can break (the
        other checks run again in the morning, from the last full-scope check)."""
        since = None if full else self._last_check
        found = []
        for name in (AFTER_STAFF if after_staff else CHECKS):
            found += getattr(self, name)(now, since)
        if not after_staff:
            self._last_check = now
        return found

    def after_beat(self, now: dt.datetime, since: dt.datetime) -> list[Violation]:
        """Right after a beat task: months it closed equal the facts as they are now."""
        return self.closed_month_matches_facts_at_close(now, since)

    # -- the checks -------------------------------------------------------------------------------

    def month_closed_after_grace(self, now, since) -> list[Violation]:
        found = []
        # A month can gain a case only from one opened back-dated, by a few days: months whose
        # grace ended more than two months ago are read again only in a full check.
        month = self.first_month if since is None else max(self.first_month, rules.add_months(
            now.astimezone(agency_zone()).date().replace(day=1), -3))
        while True:
            grace_end = at(rules.add_months(month, 1).replace(day=settings.MONTH_CLOSE_GRACE_DAYS)
                           + dt.timedelta(days=1))
            deadline = self._deadline(CLOSE_TASK, grace_end)
            if deadline is None or deadline > now:
                break
            closed = CaseMonth.objects.filter(case=OuterRef("pk"), month=month, closed_at__isnull=False)
            for reference, created_at in (compliance.cases_open_in(month).filter(~Exists(closed))
                                          .order_by("reference").values_list("reference", "created_at")):
                own = self._deadline(CLOSE_TASK, max(grace_end, created_at))
                if own is not None and own <= now:
                    found.append(Violation("month_closed_after_grace", _label(reference, month), now,
                                           f"not closed by {own.astimezone(agency_zone()):%Y-%m-%d %H:%M}"))
            month = rules.add_months(month, 1)
        return found

    def open_month_matches_facts(self, now, since) -> list[Violation]:
        pending = self._pending()
        rows = CaseMonth.objects.filter(closed_at__isnull=True)
        if since is not None:
            # Months before the tracked history (evaluated when a change reached back that far)
            # are read again only when written since, and in a full check.
            rows = rows.filter(month__gte=self.first_month) | rows.filter(computed_at__gt=since)
        by_month = defaultdict(list)
        for row in rows.select_related("case").order_by("month", "case"):
            if (row.case_id, row.month) not in pending:
                by_month[row.month].append(row)
        found = []
        for month, rows in sorted(by_month.items()):
            facts = load_month_facts(Case.objects.filter(pk__in=[r.case_id for r in rows]), month)
            for row in rows:
                fresh = evaluation_json(rules.evaluate(facts[row.case_id]))
                if stored_result(row) != fresh:
                    found.append(Violation("open_month_matches_facts", _label(row.case.reference, month), now,
                                           _differences(stored_result(row), fresh)))
        return found

    def closed_month_matches_facts_at_close(self, now, since) -> list[Violation]:
        if since is None:
            return []  # only meaningful right after the close: see after_beat
        if not _closed_between(since, now):
            return []
        rows = list(CaseMonth.objects.filter(closed_at__gt=since, closed_at__lte=now).select_related("case")
                    .order_by("month", "case"))
        by_month = defaultdict(list)
        for row in rows:
            by_month[row.month].append(row)
        found = []
        for month, rows in sorted(by_month.items()):
            facts = load_month_facts(Case.objects.filter(pk__in=[r.case_id for r in rows]), month)
            for row in rows:
                fresh = evaluation_json(rules.evaluate(facts[row.case_id]))
                as_closed = _without_month(row.result_at_close)
                if as_closed != fresh:
                    found.append(Violation("closed_month_matches_facts_at_close", _label(row.case.reference, month),
                                           now, _differences(as_closed or {}, fresh)))
        return found

    def closed_month_is_close_plus_amendments(self, now, since) -> list[Violation]:
        rows = CaseMonth.objects.filter(closed_at__isnull=False).select_related("case")
        if since is not None:  # closed rows change only by a write, which sets computed_at
            rows = rows.filter(computed_at__gt=since) | rows.filter(closed_at__gt=since) | rows.filter(
                amended_at__gt=since)
        rows = list(rows.order_by("month", "case"))
        amendments = defaultdict(list)
        for amendment in CaseMonthAmendment.objects.filter(case_id__in={r.case_id for r in rows}).order_by(
                "amended_at", "pk"):
            amendments[amendment.case_id, amendment.month].append(amendment)
        found = []
        for row in rows:
            result = _without_month(row.result_at_close)
            chain = amendments.get((row.case_id, row.month), [])
            for amendment in chain:
                if _without_month(amendment.result_before) != result:
                    found.append(Violation("closed_month_is_close_plus_amendments", _label(row.case.reference,
                                                                                           row.month), now,
                                           "an amendment does not start from the result before it"))
                    break
                result = _without_month(amendment.result_after)
            else:
                stored = stored_result(row)
                if result != stored:
                    found.append(Violation("closed_month_is_close_plus_amendments", _label(row.case.reference,
                                                                                           row.month), now,
                                           f"{_differences(result or {}, stored)} without an amendment"))
        return found

    def one_shortfall_alert_per_short_closed_month(self, now, since) -> list[Violation]:
        shortfalls = Alert.objects.filter(kind=AlertKind.CONTACT_SHORTFALL)
        closed = CaseMonth.objects.filter(closed_at__isnull=False)
        if since is not None:  # the months written, and the alerts raised, resolved or acknowledged since
            changed = (shortfalls.filter(created_at__gt=since) | shortfalls.filter(resolved_at__gt=since)
                       | shortfalls.filter(acknowledged_at__gt=since))
            touched = set(changed.values_list("case_id", "month"))
            rows = closed.filter(computed_at__gt=since) | closed.filter(closed_at__gt=since) | closed.filter(
                amended_at__gt=since)
            touched |= set(rows.values_list("case_id", "month"))
            case_ids = {case_id for case_id, _ in touched}
            shortfalls, closed = shortfalls.filter(case_id__in=case_ids), closed.filter(case_id__in=case_ids)
        else:
            touched = None
        alerts = defaultdict(list)
        for case_id, month, status in shortfalls.values_list("case_id", "month", "status"):
            if touched is None or (case_id, month) in touched:
                alerts[case_id, month].append(status)
        # A closed month amended to short and back again had its alert raised in between.
        amended_short = CaseMonthAmendment.objects.filter(result_after__status=MonthStatus.SHORT)
        if touched is not None:
            amended_short = amended_short.filter(case_id__in=case_ids)
        amended_short = set(amended_short.values_list("case_id", "month"))
        found, expected = [], set()
        for case_id, reference, month, status, at_close in (
                closed.order_by("month", "case__reference")
                .values_list("case_id", "case__reference", "month", "status", "result_at_close")):
            if touched is not None and (case_id, month) not in touched:
                continue
            short = (status == MonthStatus.SHORT or (at_close or {}).get("status") == MonthStatus.SHORT
                     or (case_id, month) in amended_short)
            if not short:
                continue
            expected.add((case_id, month))
            statuses = alerts.get((case_id, month), [])
            if len(statuses) != 1:
                found.append(Violation("one_shortfall_alert_per_short_closed_month", _label(reference, month), now,
                                       f"{len(statuses)} shortfall alerts"))
            elif (statuses[0] == AlertStatus.RESOLVED) != (status in COMPLIANT):
                found.append(Violation("shortfall_alert_resolved_when_compliant", _label(reference, month), now,
                                       f"alert {statuses[0]} while the month is {status}"))
        stray = set(alerts) - expected
        if stray:
            stray_cases = {c for c, _ in stray}
            references = dict(Case.objects.filter(pk__in=stray_cases).values_list("pk", "reference"))
            # A closed month removed from its case (a closing date recorded later, before it)
            # keeps its alert as history, resolved (contacts.recompute._after_recompute).
            present = set(CaseMonth.objects.filter(case_id__in=stray_cases).values_list("case_id", "month"))
            for case_id, month in sorted(stray, key=lambda s: (s[1], references[s[0]])):
                if (case_id, month) not in present:
                    if any(status != AlertStatus.RESOLVED for status in alerts[case_id, month]):
                        found.append(Violation("shortfall_alert_resolved_when_compliant",
                                               _label(references[case_id], month), now,
                                               "a shortfall alert still open for a month the case was not open in"))
                    continue
                found.append(Violation("one_shortfall_alert_per_short_closed_month", _label(references[case_id], month),
                                       now, "a shortfall alert for a month not closed short"))
        return found

    def no_duplicate_alerts(self, now, since) -> list[Violation]:
        return [Violation("no_duplicate_alerts", _label(reference, month), now, f"{n} {kind} alerts")
                for kind, reference, month, n in (
                    Alert.objects.filter(kind__in=CASE_MONTH_ALERTS, month__isnull=False)
                    .values_list("kind", "case__reference", "month").annotate(n=Count("pk")).filter(n__gt=1)
                    .order_by("month", "case__reference", "kind"))]

    def no_month_row_outside_case(self, now, since) -> list[Violation]:
        pending = self._pending()
        found = []
        for case_id, reference, month, opened_on, closed_on, closed_at in (
                CaseMonth.objects.order_by("month", "case__reference").values_list(
                    "case_id", "case__reference", "month", "case__opened_on", "case__closed_on", "closed_at")):
            outside = month < opened_on.replace(day=1) or (closed_on is not None and month > closed_on)
            if outside and (case_id, month) not in pending:
                state = "closed" if closed_at else "open"
                found.append(Violation("no_month_row_outside_case", _label(reference, month), now,
                                       f"a {state} result for a month the case was not open in "
                                       f"(opened {opened_on}, closed {closed_on})"))
        return found

    def no_run_unfinished(self, now, since) -> list[Violation]:
        return [Violation("no_run_unfinished", f"{run.get_kind_display()} {run.month:%Y-%m} of {run.run_on}", now,
                          f"{run.done_chunks} of {run.total_chunks} chunks done")
                for run in ComplianceRun.objects.filter(finished_at__isnull=True, started_at__lt=now - allowance())
                .order_by("started_at", "kind") if not _run_over(run)]

    def run_chunks_counted_once(self, now, since) -> list[Violation]:
        return [Violation("run_chunks_counted_once", f"{run.get_kind_display()} {run.month:%Y-%m} of {run.run_on}", now,
                          f"{run.done_chunks} chunks counted done of {run.total_chunks}")
                for run in ComplianceRun.objects.filter(done_chunks__gt=F("total_chunks")).order_by(
                    "started_at", "kind")]

    def no_pending_after_nightly(self, now, since) -> list[Violation]:
        sent = [moment for moment in self.beat.sent.get(NIGHTLY_TASK, ()) if moment <= now]
        if not sent:
            return []
        cutoff = sent[-1] - compliance.PENDING_GRACE
        return [Violation("no_pending_after_nightly", _label(reference, month), now,
                          f"requested {requested_at.astimezone(agency_zone()):%Y-%m-%d %H:%M}, still waiting "
                          f"after the nightly run of {sent[-1].astimezone(agency_zone()):%Y-%m-%d %H:%M}")
                for reference, month, requested_at in (
                    PendingRecompute.objects.filter(requested_at__lte=cutoff).order_by("month", "case__reference")
                    .values_list("case__reference", "month", "requested_at"))]

    def escalation_when_unacknowledged(self, now, since) -> list[Violation]:
        days = dt.timedelta(days=settings.ALERT_ESCALATION_DAYS)
        alerts = Alert.objects.filter(kind=AlertKind.CONTACT_SHORTFALL)
        if since is not None:  # settled: raised long enough ago to have been checked when it fell due
            settled = since - days - allowance() - dt.timedelta(days=2)
            alerts = alerts.filter(created_at__gt=settled) | alerts.filter(escalated_at__gt=since)
        alerts = list(alerts.select_related("case__team").order_by("month", "case__reference"))
        managers = defaultdict(set)
        for user_id, office_id in User.managed_offices.through.objects.values_list("user_id", "office_id"):
            managers[office_id].add(user_id)
        receiving = defaultdict(set)
        for alert_id, user_id in AlertRecipient.objects.filter(alert__in=[a.pk for a in alerts]).values_list(
                "alert_id", "user_id"):
            receiving[alert_id].add(user_id)
        found = []
        for alert in alerts:
            subject = _label(alert.case.reference, alert.month)
            acknowledged = self.acknowledged.get(alert.pk) or alert.acknowledged_at
            if alert.escalated_at is None:
                due = self.beat.first_sent(ESCALATION_TASK, alert.created_at + days)
                if due is None or due + allowance() > now:
                    continue
                handled = (acknowledged and acknowledged <= due) or (alert.resolved_at and alert.resolved_at <= due)
                if not handled:
                    found.append(Violation("escalation_when_unacknowledged", subject, now,
                                           f"unacknowledged since {alert.created_at.astimezone(agency_zone()):%Y-%m-%d}"
                                           ", not escalated"))
                continue
            if alert.escalated_at < alert.created_at + days:
                found.append(Violation("no_escalation_of_handled_alert", subject, now, "escalated before "
                                       f"{settings.ALERT_ESCALATION_DAYS} days"))
            elif acknowledged and acknowledged < alert.escalated_at:
                found.append(Violation("no_escalation_of_handled_alert", subject, now, "escalated after it was "
                                       "acknowledged"))
            missing = managers[alert.case.team.office_id] - receiving[alert.pk]
            if missing:
                found.append(Violation("escalation_when_unacknowledged", subject, now,
                                       f"escalated without {len(missing)} of the office's managers"))
        return found


CHECKS = [
    "month_closed_after_grace",
    "open_month_matches_facts",
    "closed_month_is_close_plus_amendments",
    "one_shortfall_alert_per_short_closed_month",  # also shortfall_alert_resolved_when_compliant
    "no_duplicate_alerts",
    "no_month_row_outside_case",
    "no_run_unfinished",
    "run_chunks_counted_once",
    "no_pending_after_nightly",
    "escalation_when_unacknowledged",  # also no_escalation_of_handled_alert
]
# What a day's staff work can break, checked again in the evening.
AFTER_STAFF = ["open_month_matches_facts", "no_month_row_outside_case", "no_duplicate_alerts"]
NAMES = CHECKS + ["shortfall_alert_resolved_when_compliant", "no_escalation_of_handled_alert",
                  "closed_month_matches_facts_at_close", "no_unexpected_failure"]


@dataclass
class Tally:
    """Violations by name: each distinct subject counted once, with the first seen kept,
    and the fault each followed (``none`` when no fault was injected just before)."""

    first: dict[str, Violation] = field(default_factory=dict)
    subjects: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    by_fault: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, violations: list[Violation], attribute) -> None:
        for violation in violations:
            if violation.subject in self.subjects[violation.name]:
                continue
            self.subjects[violation.name].add(violation.subject)
            self.first.setdefault(violation.name, violation)
            self.by_fault[violation.name][attribute(violation.at) or "none"] += 1

    def as_json(self) -> dict:
        return {name: {"count": len(self.subjects[name]), "first": self.first[name].as_json(),
                       "after_fault": dict(sorted(self.by_fault[name].items()))}
                for name in sorted(self.first)}

    def names(self, *, excluding_faults: tuple[str, ...] = ()) -> set[str]:
        return {name for name, faults in self.by_fault.items() if set(faults) - set(excluding_faults)}
