"""Reads for the compliance dashboards. Every number comes from the stored monthly
results (CaseMonth), so dashboards, alerts, exports and the case page agree.

Compliance rate = assessable case-months fully met ÷ assessable case-months, where a
case-month is assessable when its requirement could be evaluated (status met or short).
Months "not assessable" (e.g. risk level missing) are counted and shown separately.

The numbers count every case within the user's reach, restricted ones included
(:func:`countable_cases`); the lists behind them (drill-downs, "my month") name only the cases
the user may see, and say how many restricted ones they leave out."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from cases.permissions import countable_cases, visible_cases
from contacts import rules
from contacts.models import CaseMonth, MonthStatus

GROUPS = {
    "office": ("case__team__office__name", "Office"),
    "team": ("case__team__name", "Team"),
    "risk_level": ("risk_level", "Risk level"),
    "case_type": ("case_type", "Case type"),
    "caseworker": ("case__caseworker__username", "Caseworker"),
}
FILTERS = {"office": "case__team__office__name", "team": "case__team__name", "risk_level": "risk_level",
           "case_type": "case_type", "caseworker": "case__caseworker__username"}


def months_back(count: int = 12, today: dt.date | None = None) -> list[dt.date]:
    first = (today or timezone.localdate()).replace(day=1)
    return [rules.add_months(first, -i) for i in range(count - 1, -1, -1)]


def results_for(user, months: list[dt.date]):
    """The stored results behind ``user``'s numbers: for counting only (restricted cases included)."""
    return CaseMonth.objects.filter(case__in=countable_cases(user), month__gte=months[0], month__lte=months[-1])


@dataclass
class Cell:
    met: int
    short: int
    not_assessable: int

    @property
    def assessable(self) -> int:
        return self.met + self.short

    @property
    def rate(self) -> float | None:
        return round(100 * self.met / self.assessable, 1) if self.assessable else None


def compliance_cube(user, months: list[dt.date]) -> list[dict]:
    """Counts of case-months by office, team, risk level, case type, month and status:
    one GROUP BY over the stored results; every dashboard table is rolled up from it."""
    fields = [GROUPS[g][0] for g in ("office", "team", "risk_level", "case_type")]
    return list(results_for(user, months).values(*fields, "month", "status").order_by().annotate(n=Count("pk")))


def roll_up(cube: list[dict], group: str | None) -> dict:
    """{group value: {month: Cell}} (or {month: Cell} when ``group`` is None) from the cube."""
    counts: dict = {}
    field = GROUPS[group][0] if group else None
    for row in cube:
        key = (row[field] or "—") if field else None
        cell = counts.setdefault(key, {}).setdefault(row["month"], Cell(0, 0, 0))
        if row["status"] == MonthStatus.MET:
            cell.met += row["n"]
        elif row["status"] == MonthStatus.SHORT:
            cell.short += row["n"]
        elif row["status"] == MonthStatus.NOT_ASSESSABLE:
            cell.not_assessable += row["n"]
    if field is None:
        return counts.get(None, {})
    return dict(sorted(counts.items()))


def group_label(group: str, value: str) -> str:
    """A group's value as the pages show it: "In-home", "High", not in_home, high."""
    if group == "case_type":
        return rules.CASE_TYPE_LABELS.get(value, value)
    if group == "risk_level":
        return value.capitalize()
    return value


def compliance_by(user, group: str, months: list[dt.date]) -> dict[str, dict[dt.date, Cell]]:
    return roll_up(compliance_cube(user, months), group)


def overall(user, months: list[dt.date]) -> dict[dt.date, Cell]:
    return roll_up(compliance_cube(user, months), None)


def drill_down(user, *, month: dt.date, status: str = "", at_risk: bool = False, **filters):
    """The case-months behind a number, of the cases ``user`` may see."""
    return _drill_rows(visible_cases(user), month=month, status=status, at_risk=at_risk, **filters).select_related(
        "case__team__office", "case__caseworker").order_by("case__reference")


def drill_down_not_listed(user, *, month: dt.date, status: str = "", at_risk: bool = False, **filters) -> int:
    """How many case-months behind the same number are of restricted cases ``user`` may not see:
    counted in the dashboard, left out of the list (one query)."""
    hidden = countable_cases(user).exclude(pk__in=visible_cases(user).values("pk"))
    return _drill_rows(hidden, month=month, status=status, at_risk=at_risk, **filters).count()


def _drill_rows(cases, *, month: dt.date, status: str, at_risk: bool, **filters):
    rows = CaseMonth.objects.filter(case__in=cases, month=month)
    for key, value in filters.items():
        if key in FILTERS and value:
            rows = rows.filter(**{FILTERS[key]: value if value != "—" else ""})
    if status in MonthStatus.values:
        rows = rows.filter(status=status)
    if at_risk:
        rows = rows.filter(at_risk=True)
    return rows


def short_or_at_risk_by_caseworker(user, month: dt.date):
    """Counts per caseworker (restricted cases included: a number names no case)."""
    return (CaseMonth.objects.filter(case__in=countable_cases(user), month=month)
            .filter(Q(status=MonthStatus.SHORT) | Q(status=MonthStatus.NOT_ASSESSABLE))
            .values("case__caseworker__username", "case__caseworker__first_name", "case__caseworker__last_name")
            .order_by("case__caseworker__last_name")
            .annotate(short=Count("pk", filter=Q(status=MonthStatus.SHORT)),
                      at_risk=Count("pk", filter=Q(at_risk=True)),
                      not_assessable=Count("pk", filter=Q(status=MonthStatus.NOT_ASSESSABLE))))


def my_month(user, month: dt.date, *, needed_only: bool = False):
    """A caseworker's open cases this month, those still needing the most contact first (with
    the same days left for all, what is still needed is the risk); then the not assessable,
    which need facts before anything counts; met last."""
    rows = (CaseMonth.objects.filter(case__in=visible_cases(user).filter(caseworker=user, closed_on__isnull=True),
                                     month=month)
            .annotate(still_needed=Greatest(F("required_total") - F("achieved_total"), Value(0)),
                      rank=Case(When(status=MonthStatus.MET, then=Value(2)),
                                When(status__in=[MonthStatus.NOT_ASSESSABLE, MonthStatus.NO_REQUIREMENT], then=Value(1)),
                                default=Value(0)))
            .select_related("case").order_by("rank", "-still_needed", "-at_risk", "case__reference"))
    return rows.exclude(status__in=[MonthStatus.MET, MonthStatus.NO_REQUIREMENT]) if needed_only else rows


# --- CSV ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def to_csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()
