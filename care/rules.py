"""Pure rules of children in care (no ORM, no request): placement stability, and "visit the
carer" — the line of the month that asks for a visit to the carer of each current placement
every ``CARER_VISIT_MONTHS`` months (seed 000, §4.1 "regularly visit the carer and support the
placement"; §4.3 "Contact with a carer").

The carer line is a standard of its own: it is shown with the month's contact lines but never
counted in the child's minimum-contact requirement (``contacts.rules.Evaluation.separate_lines``),
so neither standard can hide the other.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from casework.dates import add_months, day_label

CARER_VISIT = "carer_visit"

# --- Placement stability ---------------------------------------------------------------

STABILITY_WINDOW_MONTHS = 12
# Three or more placements in twelve months is what practice calls an unstable placement history.
UNSTABLE_FROM = 3


def placements_in_last_12_months(periods, today: dt.date) -> int:
    """How many of the child's in-care periods ``(start, end or None)`` overlap the twelve months
    up to ``today`` (a placement still current, or one that ended within them, counts)."""
    window_start = add_months(today, -STABILITY_WINDOW_MONTHS) + dt.timedelta(days=1)
    return sum(1 for start, end in periods if start <= today and (end is None or end >= window_start))


def stability_label(count: int) -> str:
    if count == 0:
        return "Not in care in the last 12 months"
    if count == 1:
        return "1 placement in 12 months"
    label = f"{count} placements in 12 months"
    return f"{label} — unstable" if count >= UNSTABLE_FROM else label


def is_unstable(count: int) -> bool:
    return count >= UNSTABLE_FROM


# --- Visit the carer ----------------------------------------------------------------------


class CarerPlacement(NamedTuple):
    """One placement current in some part of the month, as the carer line needs it."""

    placement_id: int
    member_id: int  # the child
    child_name: str
    household: str
    start: dt.date
    end: dt.date | None
    visits: tuple[tuple[int, dt.date], ...] = ()  # (contact id, day) of carer visits in the month
    last_visit_before: dt.date | None = None  # the latest carer visit before the month


class CarerLine(NamedTuple):
    """What the carer line of one placement says for the month (contacts.rules turns it into a Line)."""

    placement_id: int
    member_id: int
    child_name: str
    description: str
    required: int
    counted: tuple[int, ...]
    due_on: dt.date


class NotDue(NamedTuple):
    child_name: str
    household: str
    due_on: dt.date


def _month_end(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def carer_visit_lines(placements, month: dt.date, every_months: int) -> tuple[list[CarerLine], list[NotDue]]:
    """The carer lines of ``month``: one per placement current in it whose visit falls due.

    A placement is visited every ``every_months`` months: the visit is next due in the month
    ``every_months`` after the month of the last carer visit; a placement never visited is due
    in its first month. Until then there is no line (and a note says when it falls due)."""
    start, end = month.replace(day=1), _month_end(month)
    lines, not_due = [], []
    for p in sorted(placements, key=lambda p: (p.start, p.placement_id)):
        if p.start > end or (p.end is not None and p.end < start):
            continue
        if p.last_visit_before is None:
            due_month = max(start, p.start.replace(day=1))
        else:
            due_month = add_months(p.last_visit_before.replace(day=1), every_months)
        due_on = _month_end(due_month)
        if due_month > start:
            not_due.append(NotDue(p.child_name, p.household, due_on))
            continue
        counted = tuple(sorted(cid for cid, day in p.visits if start <= day <= end))
        lines.append(CarerLine(p.placement_id, p.member_id, p.child_name,
                               f"Visit the carer of {p.child_name} ({p.household})", 1, counted, due_on))
    return lines, not_due


def not_due_note(item: NotDue) -> str:
    return (f"{item.child_name}: the carer ({item.household}) was visited recently; the next carer visit "
            f"is due by {day_label(item.due_on)}.")
