"""Pure rules of family time and cultural support plans: no ORM, no request, no clock.

Seed 000 §4.1: for a child in care, "manage family contact for the child, including a clear plan
for reviewing and increasing family contact over an appropriate timeframe, when the child is to
be reunified". The plan is a run of stages; each says what changes, from when, and when it is
reviewed. A stage is entered only when a team leader approves the move, with its rationale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The stages of a staged plan.
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
