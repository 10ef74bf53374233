"""Reads for the federal monthly caseworker-visit measure (contacts.federal): the managers'
dashboard section, its drill-down to child-months, the CSVs and the API. Every number is a
sum of the stored child-months (CaseMonth.federal_*), written by the same recompute as the
standard's result, so the dashboard, drill-down, CSV and API cannot disagree.

As for the other dashboards, the numbers count every case within the user's reach,
restricted ones included (countable_cases); the child-month lists name only the cases the
user may see (visible_cases) and say how many they leave out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, Sum

from cases.permissions import countable_cases, visible_cases
from contacts import dashboards, federal
from contacts.models import CaseMonth

GROUPS = {"office": dashboards.GROUPS["office"], "team": dashboards.GROUPS["team"]}
WINDOW_MONTHS = 12


def federal_months(today: dt.date | None = None) -> list[dt.date]:
    """The last twelve complete months: the month under way is counted once it is over (a
    child in care all month may still be visited until its last day)."""
    return dashboards.months_back(WINDOW_MONTHS + 1, today)[:-1]


@dataclass
class FederalCell:
    children: int = 0
    visited: int = 0
    at_residence: int = 0

    def add(self, children: int, visited: int, at_residence: int) -> None:
        self.children += children
        self.visited += visited
        self.at_residence += at_residence

    @property
    def not_visited(self) -> int:
        return self.children - self.visited

    @property
    def visited_percent(self) -> float | None:
        return federal.percent(self.visited, self.children)

    @property
    def residence_percent(self) -> float | None:
        return federal.percent(self.at_residence, self.visited)

    @property
    def meets_target(self) -> bool | None:
        return federal.meets_target(self.visited, self.children, settings.FEDERAL_VISIT_TARGET)

    @property
    def residence_met(self) -> bool | None:
        return federal.residence_met(self.at_residence, self.visited)


def _month_range(months: list[dt.date]) -> Q:
    return Q(month__gte=months[0], month__lte=months[-1])


def federal_summary(user, months: list[dt.date]) -> dict:
    """{"overall": FederalCell, "office": {name: FederalCell}, "team": {name: FederalCell}} over
    ``months``: one GROUP BY over the stored results."""
    office, team = GROUPS["office"][0], GROUPS["team"][0]
    rows = (CaseMonth.objects.filter(_month_range(months), case__in=countable_cases(user), federal_children__gt=0)
            .values(office, team).order_by()
            .annotate(children=Sum("federal_children"), visited=Sum("federal_visited"),
                      at_residence=Sum("federal_at_residence")))
    summary = {"overall": FederalCell(), "office": {}, "team": {}}
    for row in rows:
        counts = (row["children"], row["visited"], row["at_residence"])
        summary["overall"].add(*counts)
        summary["office"].setdefault(row[office] or "—", FederalCell()).add(*counts)
        summary["team"].setdefault(row[team] or "—", FederalCell()).add(*counts)
    summary["office"] = dict(sorted(summary["office"].items()))
    summary["team"] = dict(sorted(summary["team"].items()))
    return summary


def summary_rows(summary: dict) -> list[list]:
    """The summary as table rows (CSV): grouping, name, counts and shares."""
    rows = []
    for group, label in (("overall", "All"), ("office", "Office"), ("team", "Team")):
        cells = {"All": summary["overall"]} if group == "overall" else summary[group]
        for name, cell in cells.items():
            rows.append([label, name, cell.children, cell.visited, _blank(cell.visited_percent), cell.at_residence,
                         _blank(cell.residence_percent)])
    return rows


SUMMARY_HEADER = ["Grouping", "Name", "Child-months in care all month", "Seen by a caseworker", "Seen (%)",
                  "Seen in the residence", "In the residence (% of seen)"]


def _blank(value):
    return "" if value is None else value


@dataclass(frozen=True)
class ChildMonthRow:
    """One child-month of the drill-down: the case-month it is stored with and its child."""

    result: CaseMonth
    child_number: int  # the child's position among the case's children counted that month
    visits: int
    residence_visits: int
    first_visit_on: dt.date | None

    @property
    def visited(self) -> bool:
        return self.visits > 0

    @property
    def at_residence(self) -> bool:
        return self.residence_visits > 0


def _filtered(cases, months: list[dt.date], office: str, team: str, seen: bool | None, residence: bool | None):
    rows = CaseMonth.objects.filter(_month_range(months), case__in=cases, federal_children__gt=0)
    if office:
        rows = rows.filter(**{GROUPS["office"][0]: office})
    if team:
        rows = rows.filter(**{GROUPS["team"][0]: team})
    # The case-months that hold at least one child-month the filters ask for.
    if seen is True:
        rows = rows.filter(federal_visited__gt=0)
    elif seen is False:
        rows = rows.filter(federal_visited__lt=F("federal_children"))
    if residence is True:
        rows = rows.filter(federal_at_residence__gt=0)
    elif residence is False:
        rows = rows.filter(federal_at_residence__lt=F("federal_visited"))
    return rows


def _wanted(child: dict, seen: bool | None, residence: bool | None) -> bool:
    visited, at_residence = bool(child["visits"]), bool(child["residence_visits"])
    if seen is not None and visited != seen:
        return False
    # "Not in the residence" is of the child-months seen: one not seen was not seen anywhere.
    return residence is None or (visited and at_residence == residence)


def child_months(user, *, months: list[dt.date], office: str = "", team: str = "", seen: bool | None = None,
                 residence: bool | None = None) -> list[ChildMonthRow]:
    """The child-months behind a number, of the cases ``user`` may see, by case reference and
    month: one query, the child-months read from each stored case-month."""
    rows = (_filtered(visible_cases(user), months, office, team, seen, residence)
            .select_related("case__team__office", "case__caseworker").order_by("case__reference", "month"))
    listed = []
    for result in rows:
        for number, child in enumerate(result.federal, 1):
            if _wanted(child, seen, residence):
                first = child["first_visit_on"]
                listed.append(ChildMonthRow(result, number, len(child["visits"]), len(child["residence_visits"]),
                                            dt.date.fromisoformat(first) if first else None))
    return listed


def child_months_not_listed(user, *, months: list[dt.date], office: str = "", team: str = "",
                            seen: bool | None = None, residence: bool | None = None) -> int:
    """How many child-months behind the same number are of restricted cases ``user`` may not
    see: counted on the dashboard, left out of the list (one query)."""
    hidden = countable_cases(user).exclude(pk__in=visible_cases(user).values("pk"))
    totals = _filtered(hidden, months, office, team, seen, residence).aggregate(
        children=Sum("federal_children"), visited=Sum("federal_visited"), at_residence=Sum("federal_at_residence"))
    children, visited, at_residence = (totals[k] or 0 for k in ("children", "visited", "at_residence"))
    if residence is True:
        return at_residence
    if residence is False:
        return visited - at_residence
    if seen is True:
        return visited
    if seen is False:
        return children - visited
    return children
