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
from dataclasses import dataclass
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


PLANNED, CURRENT, DONE = "planned", "current", "done"
STAGE_LABELS = {PLANNED: "Planned", CURRENT: "Current", DONE: "Completed"}

# A request to move to the next stage (the request/decide shape of contacts.RequirementChange).
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

# What happened to a session.
HELD, MISSED, CANCELLED = "held", "missed", "cancelled"

INDIGENOUS_STATUSES = {"aboriginal", "torres_strait_islander", "both"}


def needs_cultural_plan(indigenous_status: str) -> bool:
    """An Aboriginal or Torres Strait Islander child in care has a cultural support plan (seed 001)."""
    return indigenous_status in INDIGENOUS_STATUSES


@dataclass(frozen=True)
class StageFacts:
    number: int
    status: str
    starts_on: dt.date
    review_on: dt.date


def current_stage(stages: list[StageFacts]) -> StageFacts | None:
    return next((s for s in stages if s.status == CURRENT), None)


def next_stage(stages: list[StageFacts]) -> StageFacts | None:
    """The stage a plan moves to next: the planned one after the current (or the first planned)."""
    current = current_stage(stages)
    after = current.number if current else 0
    planned = sorted((s for s in stages if s.status == PLANNED and s.number > after), key=lambda s: s.number)
    return planned[0] if planned else None


def progression_problem(*, stages: list[StageFacts], to_number: int, pending: bool, today: dt.date) -> str | None:
    """Why a move to stage ``to_number`` cannot be asked for, or None. Stages are taken in
    order, one at a time, and one request waits at a time."""
    if pending:
        return "A move to the next stage is already waiting for the team leader's decision."
    target = next_stage(stages)
    if target is None:
        return "There is no planned stage to move to; add the next stage first."
    if target.number != to_number:
        return f"Stages are taken in order: the next stage is stage {target.number}."
    if target.review_on < today:
        return f"Stage {target.number}'s review date has passed; change the stage before asking to move to it."
    return None


def stage_problem(*, starts_on: dt.date, review_on: dt.date, previous_starts_on: dt.date | None) -> str | None:
    """Why a stage's dates do not make sense, or None."""
    if review_on <= starts_on:
        return "The review date must be after the stage starts."
    if previous_starts_on is not None and starts_on < previous_starts_on:
        return "A stage cannot start before the stage before it."
    return None


def decide_problem(*, requested_by_id: int, user_id: int, is_team_leader_of_case: bool, status: str) -> str | None:
    """Why ``user`` may not decide a request to progress, or None."""
    if not is_team_leader_of_case:
        return "Only a team leader of the case's team decides a move to the next stage."
    if requested_by_id == user_id:
        return "Nobody approves their own request."
    if status != PENDING:
        return "This request has already been decided."
    return None


def review_due_on(*, stage_review_on: dt.date | None, arrangement_review_on: dt.date | None) -> dt.date | None:
    """When the arrangement is next reviewed: the current stage's review date, else its own."""
    return stage_review_on or arrangement_review_on


def review_overdue(review_on: dt.date | None, today: dt.date) -> bool:
    """A review date that has passed without a review (a review moves the date on)."""
    return review_on is not None and review_on < today


def session_problem(*, outcome: str, on: dt.date, today: dt.date, by_whom: str, observations: str,
                    started_on: dt.date) -> str | None:
    """Why a session record cannot be kept, or None."""
    if on < started_on:
        return "The session cannot be before the arrangement started."
    if outcome in (HELD, MISSED) and on > today:
        return "A session that was held or missed cannot be in the future."
    if outcome in (MISSED, CANCELLED) and not by_whom:
        return "Say who missed or cancelled the session."
    if outcome == HELD and not observations.strip():
        return "Record what was observed during the session."
    return None
