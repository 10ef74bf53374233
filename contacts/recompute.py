"""The stored monthly evaluation: recompute a month for a set of cases with one bulk upsert,
freeze-aware (a closed month changes only by a person's recorded amendment), and the alerts
that follow an amendment or a removal. Called by the scheduler (contacts.compliance,
contacts.tasks) and by pages that need a result now (contacts.selectors); the writes that
change facts queue it through contacts.services.queue_recompute."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.services import AlertSpec, alerts_raise_many, alerts_resolve_many
from cases.models import Case, User
from casework.dates import day_label
from contacts import federal, rules
from contacts.facts import load_month_facts
from contacts.models import CaseMonth, CaseMonthAmendment, MonthStatus, PendingRecompute, ScheduledVisit, VisitStatus
from contacts.results import (
    at_risk_from_stored,
    bulk_evaluation,
    evaluation_json,
    federal_json,
    result_row,
    rules_fingerprint,
    store_results,
    stored_result,
)


def case_months_recompute(*, cases: QuerySet, month: dt.date, by=None, reason: str = "") -> int:
    """Evaluate ``month`` for every case in ``cases`` and store the results with one bulk
    upsert. A closed month is frozen: only a person's explicit change (``by`` and a
    ``reason``: a late contact, an approved request) amends it, and each amendment that
    changes its result is recorded (CaseMonthAmendment) with the result before and after."""
    month = rules.month_start(month)
    now = timezone.now()
    today = timezone.localdate()
    # A case not open on any day of the month has no result for it: a stored one is left
    # from before its closing date was recorded (or moved back), and is removed.
    not_open = Case.objects.filter(pk__in=cases.values("pk")).filter(
        Q(opened_on__gt=rules.month_end(month)) | Q(closed_on__lt=month))
    open_rows = CaseMonth.objects.filter(case__in=not_open, month=month, closed_at__isnull=True)
    removed = list(open_rows.values_list("case_id", flat=True))
    open_rows.delete()
    if by:
        removed += _closed_months_not_open_remove(not_open, month, by=by, reason=reason, now=now)
    cases = cases.exclude(pk__in=not_open.values("pk"))
    closed = {row.case_id: row for row in CaseMonth.objects.filter(case__in=cases, month=month,
                                                                    closed_at__isnull=False)}
    amending = by is not None and bool(reason.strip())
    if closed and not amending:
        cases = cases.exclude(pk__in=list(closed))
        closed = {}
    planned, missed = _visits_of_month(cases, month, today)
    fingerprint = rules_fingerprint()
    with bulk_evaluation():
        rows, amendments = [], []
        for case_id, case_facts in load_month_facts(cases, month).items():
            evaluation, federal_month = rules.evaluate(case_facts), federal.evaluate(case_facts)
            at_risk = rules.at_risk(evaluation, today, case_id in planned, settings.AT_RISK_DAYS_PER_VISIT,
                                    visit_missed=case_id in missed)
            if case_id in closed:
                before, after = stored_result(closed[case_id]), evaluation_json(evaluation)
                if before == after and closed[case_id].federal == federal_json(federal_month):
                    continue  # nothing changes: the closed month stays exactly as it is
                amendments.append(CaseMonthAmendment(case_id=case_id, month=month, amended_at=now, amended_by=by,
                                                     reason=reason.strip()[:300], result_before=before,
                                                     result_after=after))
            rows.append(result_row(case_id, month, evaluation, now, at_risk, fingerprint, federal_month=federal_month))
        with transaction.atomic():
            store_results(rows)
            if amendments:
                CaseMonthAmendment.objects.bulk_create(amendments)
                CaseMonth.objects.filter(case_id__in=[a.case_id for a in amendments], month=month).update(
                    amended_at=now, amended_by=by)
    _after_recompute(month, [a.case_id for a in amendments], removed)
    return len(rows)


def _visits_of_month(cases: QuerySet, month: dt.date, today: dt.date) -> tuple[set[int], set[int]]:
    """(cases with a visit planned for the rest of ``month``, cases with a visit planned this
    month whose day passed without a contact — missed, marked so yet or not), when it is
    this month: what "at risk" asks besides the result."""
    if month != today.replace(day=1):
        return set(), set()
    planned = set(ScheduledVisit.objects.filter(
        case__in=cases, status=VisitStatus.PLANNED, scheduled_for__gte=today,
        scheduled_for__lte=rules.month_end(today)).values_list("case_id", flat=True))
    missed = set(ScheduledVisit.objects.with_state(today).filter(
        case__in=cases, scheduled_for__gte=month, state=VisitStatus.MISSED).values_list("case_id", flat=True))
    return planned, missed


def cases_needing_recompute(cases: QuerySet, month: dt.date) -> QuerySet:
    """The cases among ``cases`` whose stored result for ``month`` may be out of date: one
    was never computed (a month just begun, a case just opened), it was computed with other
    rules or settings (rules_fingerprint), or a change of its facts is waiting
    (PendingRecompute: every write that changes a fact records one). Nothing else changes a
    result; "at risk", which also depends on the day, is refreshed by at_risk_refresh."""
    month = rules.month_start(month)
    current = CaseMonth.objects.filter(case=OuterRef("pk"), month=month, rules_fingerprint=rules_fingerprint())
    waiting = PendingRecompute.objects.filter(case=OuterRef("pk"), month=month)
    return cases.filter(~Exists(current) | Exists(waiting))


def at_risk_refresh(*, cases: QuerySet, month: dt.date) -> int:
    """Bring "at risk" of the stored open results of ``month`` up to today (the days left
    shrink; a planned visit is made or cancelled) from what each result still needed,
    without reading or evaluating the month's facts again: two reads and an UPDATE for
    the rows that turn at risk and one for those that no longer are (per UPDATE_BATCH rows).
    Returns the number of rows changed."""
    month = rules.month_start(month)
    today = timezone.localdate()
    rows = list(CaseMonth.objects.filter(case__in=cases, month=month, closed_at__isnull=True).order_by()
                .values_list("pk", "case_id", "status", "visits_needed", "support_needed", "at_risk"))
    planned, missed = (_visits_of_month(cases, month, today) if any(row[2] == MonthStatus.SHORT for row in rows)
                       else (set(), set()))
    flips = {True: [], False: []}
    for pk, case_id, status, visits, support, was in rows:
        now = at_risk_from_stored(month, status, visits, support, today, case_id in planned,
                                  settings.AT_RISK_DAYS_PER_VISIT, visit_missed=case_id in missed)
        if now != was:
            flips[now].append(pk)
    for value, pks in flips.items():
        for at in range(0, len(pks), UPDATE_BATCH):
            CaseMonth.objects.filter(pk__in=pks[at:at + UPDATE_BATCH]).update(at_risk=value)
    return len(flips[True]) + len(flips[False])


# Ids per UPDATE … WHERE id IN (…): well under the databases' limits on parameters.
UPDATE_BATCH = 10_000


def _closed_months_not_open_remove(not_open: QuerySet, month: dt.date, *, by, reason: str, now) -> list[int]:
    """A person changed a case's dates (a closing date recorded later, in the past) so that
    the case was not open in ``month`` at all: its closed result is not the case's, and goes.
    The removal is an amendment like any other (who, when, why, the result before, and
    after it the evaluation of a month the case was not open in), so nothing about a closed
    month changes unrecorded. The system (nightly, catch-up without a person) never removes one."""
    rows = list(CaseMonth.objects.filter(case__in=not_open, month=month, closed_at__isnull=False)
                .select_related("case"))
    if not rows:
        return []
    facts = load_month_facts(Case.objects.filter(pk__in=[row.case_id for row in rows]), month)
    amendments = []
    for row in rows:
        case = row.case
        why = reason.strip() or (f"Not open in {month:%B %Y}: the case's dates are now {day_label(case.opened_on)} to "
                                 f"{day_label(case.closed_on)}" if case.closed_on else
                                 f"Not open in {month:%B %Y}: the case opened on {day_label(case.opened_on)}")
        amendments.append(CaseMonthAmendment(case_id=row.case_id, month=month, amended_at=now, amended_by=by,
                                             reason=why[:300], result_before=stored_result(row),
                                             result_after=evaluation_json(rules.evaluate(facts[row.case_id]))))
    with transaction.atomic():
        CaseMonthAmendment.objects.bulk_create(amendments)
        CaseMonth.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return [row.case_id for row in rows]


# Key of the one shortfall alert of a case-month (raised at month close, see contacts.compliance).
SHORTFALL_KEY = "shortfall:{case}:{month:%Y-%m}"
COMPLIANT = (MonthStatus.MET, MonthStatus.NO_REQUIREMENT)


def _after_recompute(month: dt.date, amended: list[int], removed: list[int] = ()) -> None:
    """An amendment that makes a closed month compliant resolves its shortfall alert; one that
    makes it short raises it (or raises it again), as the month close would have. A month
    removed from a case (open or closed) resolves the case's contact alerts for that month:
    a warning about a month the case was not open in is not work to do."""
    if amended:
        statuses = dict(CaseMonth.objects.filter(case_id__in=amended, month=month).values_list("case_id", "status"))
        alerts_resolve_many(SHORTFALL_KEY.format(case=case_id, month=month)
                            for case_id, status in statuses.items() if status in COMPLIANT)
        _shortfall_alerts_raise([case_id for case_id, status in statuses.items() if status == MonthStatus.SHORT],
                                month)
    if removed:
        alerts_resolve_many(Alert.objects.filter(
            case_id__in=removed, month=month,
            kind__in=[AlertKind.CONTACT_SHORTFALL, AlertKind.AT_RISK, AlertKind.RISK_LEVEL_MISSING]).values_list(
            "key", flat=True))


def _shortfall_alerts_raise(case_ids: list[int], month: dt.date) -> None:
    """The shortfall alert of each case-month, to the allocated caseworker and the team's
    leaders, named by reference (the same alert the month close raises)."""
    if not case_ids:
        return
    cases = list(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference", "caseworker_id", "team_id"))
    leaders = defaultdict(set)
    for user_id, team_id in User.led_teams.through.objects.filter(team_id__in={c[3] for c in cases}).values_list(
            "user_id", "team_id"):
        leaders[team_id].add(user_id)
    alerts_raise_many([AlertSpec(key=SHORTFALL_KEY.format(case=pk, month=month), kind=AlertKind.CONTACT_SHORTFALL,
                                 title=f"{reference}: contact shortfall in {month:%B %Y}", case_id=pk, month=month,
                                 link=f"/cases/{reference}/", recipient_ids=tuple({worker} | leaders[team]))
                       for pk, reference, worker, team in cases])


def pending_recomputes_done(*, case_ids, months, requested_until: dt.datetime) -> int:
    """Forget the recompute requests the caller has just served: those of ``case_ids`` and
    ``months`` made up to ``requested_until`` (read before recomputing). A request made
    while the recompute ran is newer and stays for the next one."""
    deleted, _ = PendingRecompute.objects.filter(case_id__in=case_ids, month__in=months,
                                                 requested_at__lte=requested_until).delete()
    return deleted
