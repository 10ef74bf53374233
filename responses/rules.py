"""Pure rules of responding to new information: the response steps and when each is due,
the order steps may be ticked in, the next working day for a safety plan, and when
supervision and formal reviews fall due, and when a safety plan asks for more contact than
the standard. No ORM, no request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from casework.dates import add_months

# The steps the manual lists, in order (codes match models.StepCode).
VIEW = "view"
ASSESS = "assess"
FURTHER_ACTION = "further_action"
SAFETY_ASSESSMENT = "safety_assessment"
CASE_PLAN_REVIEW = "case_plan_review"
PLACEMENT_REVIEW = "placement_review"
STEPS = (VIEW, ASSESS, FURTHER_ACTION, SAFETY_ASSESSMENT, CASE_PLAN_REVIEW, PLACEMENT_REVIEW)

# | step               | needs first | ticked by                                  |
# |--------------------|-------------|--------------------------------------------|
# | view               | —           | opening the information and ticking it     |
# | assess             | view        | a note recording the response              |
# | further_action     | assess      | a note (incl. victim support information)  |
# | safety_assessment  | view        | recording a safety assessment              |
# | case_plan_review   | assess      | a note of what was considered              |
# | placement_review   | assess      | a note of what was considered              |
PREREQUISITE = {
    VIEW: None, ASSESS: VIEW, FURTHER_ACTION: ASSESS, SAFETY_ASSESSMENT: VIEW,
    CASE_PLAN_REVIEW: ASSESS, PLACEMENT_REVIEW: ASSESS,
}
NEEDS_NOTE = {ASSESS, FURTHER_ACTION, CASE_PLAN_REVIEW, PLACEMENT_REVIEW}
# Only recording a safety assessment ticks this step, so the tick always has the assessment behind it.
TICKED_BY_ASSESSMENT = {SAFETY_ASSESSMENT}


def step_due_times(received_at: dt.datetime, due_hours: Sequence[int]) -> dict[str, dt.datetime]:
    """When each step is due: ``due_hours`` gives hours after receipt, in the order of STEPS."""
    if len(due_hours) != len(STEPS) or any(h < 0 for h in due_hours):
        raise ValueError(f"Give {len(STEPS)} non-negative hours, one per step.")
    return {code: received_at + dt.timedelta(hours=hours) for code, hours in zip(STEPS, due_hours, strict=True)}


# When information can have been received: not before the agency's oldest records, and not
# after now, allowing for a sending system's clock running a few minutes fast. Outside that
# it is a mistake, not a date: the step due times count from it.
EARLIEST_RECEIVED_AT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
RECEIVED_AT_CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def received_at_problem(received_at: dt.datetime, *, now: dt.datetime) -> str | None:
    """Why ``received_at`` (aware) cannot be when information was received; None when it can."""
    if received_at < EARLIEST_RECEIVED_AT:
        return f"Information cannot have been received before {EARLIEST_RECEIVED_AT:%Y}."
    if received_at > now + RECEIVED_AT_CLOCK_TOLERANCE:
        return "Information cannot be received in the future."
    return None


def step_problem(code: str, done: set[str], note: str, *, via_assessment: bool = False) -> str | None:
    """Why ``code`` cannot be ticked now (None when it can), given the codes already done."""
    if code not in PREREQUISITE:
        return "There is no such step."
    if code in done:
        return "This step is already done."
    first = PREREQUISITE[code]
    if first and first not in done:
        return f"Tick “{LABELS[first]}” first."
    if code in TICKED_BY_ASSESSMENT and not via_assessment:
        return "Record the safety assessment; that ticks this step."
    if code in NEEDS_NOTE and not note.strip():
        return "Record what was done for this step."
    return None


LABELS = {
    VIEW: "View the information",
    ASSESS: "Assess the information and record the response",
    FURTHER_ACTION: "Record further action taken",
    SAFETY_ASSESSMENT: "Complete a new safety assessment",
    CASE_PLAN_REVIEW: "Consider review of the case plan and type of intervention",
    PLACEMENT_REVIEW: "Review the appropriateness of the child's placement",
}


# --- Safety plans ----------------------------------------------------------------------------

def next_working_day(day: dt.date, is_working_day: Callable[[dt.date], bool]) -> dt.date:
    """The first working day after ``day`` (a plan developed on Friday is due on Monday,
    or Tuesday when Monday is a public holiday)."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


PLAN_NEEDED = {"safe_with_plan", "unsafe"}


# --- Supervision and formal reviews ------------------------------------------------------------

@dataclass(frozen=True)
class ReviewDue:
    supervision_due_on: dt.date
    formal_review_due_on: dt.date


def supervision_weeks(risk_level: str | None, weeks_by_risk: dict[str, int]) -> int:
    """Weeks between supervision reviews; an unknown risk level uses the strictest interval."""
    if risk_level in weeks_by_risk:
        return weeks_by_risk[risk_level]
    return min(weeks_by_risk.values())


def reviews_due(*, opened_on: dt.date, last_supervision_on: dt.date | None, last_formal_review_on: dt.date | None,
                risk_level: str | None, weeks_by_risk: dict[str, int], formal_review_months: int,
                first_plan_on: dt.date | None = None) -> ReviewDue:
    """Next supervision review: the interval for the risk level after the last one (or the
    case opening). Next formal review: every N months after the last one; the first falls N
    months after the initial plan was endorsed (Ontario Standard 7), or after the case
    opened while there is no plan yet."""
    weeks = supervision_weeks(risk_level, weeks_by_risk)
    return ReviewDue(
        supervision_due_on=(last_supervision_on or opened_on) + dt.timedelta(weeks=weeks),
        formal_review_due_on=add_months(last_formal_review_on or first_plan_on or opened_on, formal_review_months),
    )


def due_status(due_on: dt.date, today: dt.date, warning_days: int) -> str:
    """"overdue", "due_soon" or "ok"."""
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= warning_days:
        return "due_soon"
    return "ok"


# --- Additional contact while a safety plan keeps a child's return home safe ------------------
# Seed 000, 4.2: "Additional contact is necessary where an immediate safety plan is in place to
# maintain the child's safe return to the family."


class ChildAtHome(NamedTuple):
    """One child's facts on a day, for the safe-return rule."""

    name: str
    living_kind: str | None  # cases.models.LivingKind value in force
    goal: str | None  # case plan goal in force
    was_in_care: bool  # an earlier living arrangement in this case was in care


def returned_home(children: Iterable[ChildAtHome]) -> tuple[str, ...]:
    """The children who have returned to the family: living at home with a parent, after care
    in this case or with the goal of reunification."""
    return tuple(c.name for c in children
                 if c.living_kind == "at_home" and (c.was_in_care or c.goal == "reunification"))


def additional_contact_needed(*, safety_plan_in_force: bool, returned: Sequence[str], increase_approved: bool,
                              no_increase_recorded: bool) -> bool:
    """More than the standard is required, and nobody has yet acted on it: an approved safety
    plan is in force for a child who has returned home, and neither an increase has been
    approved nor the team leader has recorded why none is needed."""
    return safety_plan_in_force and bool(returned) and not (increase_approved or no_increase_recorded)
