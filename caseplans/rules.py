"""Pure rules of case plans: the lifecycle table, SMART checks, statutory timeframes and
the consistency of a child's permanency objective with their legal status.

No ORM and no request here: services gather the facts, these functions decide, so every
rule can be tested (and read) without a database.

The lifecycle (practice manual, "Case plan preparation and review"):

    draft ──▶ submitted ──▶ endorsed ──▶ copy provided ──▶ under review ──▶ superseded
                  │   ▲          │                              ▲
                  ▼   │          └──────────────────────────────┘
               returned (with comments; edited, then submitted again)

A review starts the next version as a draft (carrying forward open goals and actions);
the reviewed version stays "under review" until the next version is endorsed, when it
becomes "superseded". Endorsed versions are never edited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from casework.dates import add_months

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
ENDORSED = "endorsed"
COPY_PROVIDED = "copy_provided"
UNDER_REVIEW = "under_review"
SUPERSEDED = "superseded"

STATUS_LABELS = {
    DRAFT: "Draft",
    SUBMITTED: "Submitted for endorsement",
    RETURNED: "Returned with comments",
    ENDORSED: "Endorsed",
    COPY_PROVIDED: "Endorsed, copy provided",
    UNDER_REVIEW: "Under review",
    SUPERSEDED: "Superseded",
}

# from status → statuses it may change to. Everything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SUBMITTED,),
    RETURNED: (SUBMITTED,),
    SUBMITTED: (ENDORSED, RETURNED),
    ENDORSED: (COPY_PROVIDED, UNDER_REVIEW),
    COPY_PROVIDED: (UNDER_REVIEW,),
    UNDER_REVIEW: (SUPERSEDED,),
    SUPERSEDED: (),
}

# Versions whose content may change (the caseworker is still writing them).
EDITABLE = frozenset({DRAFT, RETURNED})
# The version "in force" once endorsed.
IN_FORCE = frozenset({ENDORSED, COPY_PROVIDED})
# A version being written or decided; at most one per case.
WORKING = frozenset({DRAFT, SUBMITTED, RETURNED})


def transition_problem(current: str, target: str) -> str | None:
    """Why ``current`` may not change to ``target`` (None when it may)."""
    if target in TRANSITIONS.get(current, ()):
        return None
    if current in IN_FORCE | {UNDER_REVIEW, SUPERSEDED} and target in EDITABLE | {SUBMITTED}:
        return "This plan has been endorsed and cannot be changed; start a review to make a new version."
    return f"A plan that is {STATUS_LABELS[current].lower()} cannot become {STATUS_LABELS[target].lower()}."


def edit_problem(status: str) -> str | None:
    """Why a version's content may not be changed (None when it may)."""
    if status in EDITABLE:
        return None
    if status == SUBMITTED:
        return "This plan is waiting for endorsement; it can be changed only if the team leader returns it."
    return "This plan has been endorsed and cannot be changed; start a review to make a new version."


def endorse_problem(*, author_ids: set[int], user_id: int, is_team_leader_of_case: bool) -> str | None:
    """Only a team leader of the case's team endorses or returns, and never a plan they wrote."""
    if not is_team_leader_of_case:
        return "Only a team leader of the case's team can endorse or return a case plan."
    if user_id in author_ids:
        return "You wrote part of this plan or submitted it; another team leader must endorse it."
    return None


# --- SMART actions ------------------------------------------------------------------

VAGUE_PHRASES = ("try to", "as needed", "as required", "when possible", "if possible", "where possible",
                 "as appropriate", "ongoing", "attempt to", "consider", "work on", "improve", "be better")


@dataclass(frozen=True)
class ActionFacts:
    """What the SMART check reads of one action."""

    what: str
    responsible: str  # "" when nobody is named
    due_on: dt.date | None
    measure: str
    completed_on: dt.date | None = None

    @classmethod
    def of(cls, action) -> ActionFacts:
        return cls(what=action.what, responsible=action.responsible, due_on=action.due_on, measure=action.measure,
                   completed_on=action.completed_on)


def smart_warnings(action: ActionFacts, today: dt.date) -> list[str]:
    """Why an action is not SMART (Specific, Measurable, Achievable, Realistic, Timely)."""
    warnings = []
    if not action.responsible.strip():
        warnings.append("No one is named as responsible.")
    if action.due_on is None:
        warnings.append("No due date.")
    elif action.completed_on is None and action.due_on < today:
        warnings.append("The due date has passed.")
    if not action.measure.strip():
        warnings.append("No measure of how completion will be known.")
    text = f" {action.what.lower()} "
    vague = [p for p in VAGUE_PHRASES if re.search(rf"\b{re.escape(p)}\b", text)]
    if vague:
        warnings.append(f"Vague wording (\u201c{vague[0]}\u201d): say exactly what will be done.")
    if len(action.what.split()) < 4:
        warnings.append("Too short to be specific: say what will be done, with whom and where.")
    return warnings


def is_overdue(due_on: dt.date | None, completed_on: dt.date | None, today: dt.date) -> bool:
    return due_on is not None and completed_on is None and due_on < today


def progress_summary(total: int, complete: int, overdue: int, due_soon: int = 0) -> str:
    """e.g. "7 of 12 actions complete, 2 overdue, 1 due soon"."""
    noun = "action" if total == 1 else "actions"
    parts = [f"{complete} of {total} {noun} complete"]
    if overdue:
        parts.append(f"{overdue} overdue")
    if due_soon:
        parts.append(f"{due_soon} due soon")
    return ", ".join(parts)


# --- Statutory timeframes -------------------------------------------------------------


def first_plan_due(substantiated_on: dt.date, days: int) -> dt.date:
    """The first plan is endorsed and a copy given to the child and parents within ``days`` of substantiation."""
    return substantiated_on + dt.timedelta(days=days)


def review_due(*, review_date: dt.date | None, endorsed_on: dt.date, months: int) -> dt.date:
    """Reviewed by the review date set in the plan and at least every ``months`` months."""
    latest = add_months(endorsed_on, months)
    return min(review_date, latest) if review_date else latest


ON_TRACK = "on_track"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
MET = "met"
MET_LATE = "met_late"

TIMEFRAME_LABELS = {ON_TRACK: "On track", DUE_SOON: "Due soon", OVERDUE: "Overdue", MET: "Met",
                    MET_LATE: "Met late"}


def timeframe_status(*, due_on: dt.date, done_on: dt.date | None, today: dt.date, soon_days: int) -> str:
    """Met (done by the due date), met late, overdue (past due, not done), due soon, or on track."""
    if done_on is not None:
        return MET if done_on <= due_on else MET_LATE
    if today > due_on:
        return OVERDUE
    if (due_on - today).days <= soon_days:
        return DUE_SOON
    return ON_TRACK


@dataclass(frozen=True)
class Timeframe:
    key: str  # "first" or "review": stable, for alert keys
    name: str
    due_on: dt.date
    status: str

    @property
    def label(self) -> str:
        return TIMEFRAME_LABELS[self.status]


@dataclass(frozen=True)
class PlanFacts:
    """What the timeframe rules read of a case and its plans."""

    substantiated_on: dt.date | None
    first_endorsed_on: dt.date | None  # the first version ever endorsed
    first_copy_on: dt.date | None  # copy provided of that first version
    in_force_endorsed_on: dt.date | None  # the version in force now (also while it is under review)
    in_force_review_date: dt.date | None
    review_started: bool  # a review of the version in force has started (the next version is not endorsed yet)


def case_timeframes(facts: PlanFacts, *, today: dt.date, first_plan_days: int, review_months: int,
                    soon_days: int) -> list[Timeframe]:
    frames = []
    if facts.substantiated_on is not None:
        due = first_plan_due(facts.substantiated_on, first_plan_days)
        done = facts.first_copy_on if facts.first_endorsed_on else None
        frames.append(Timeframe("first", "First plan endorsed and copy provided", due,
                                timeframe_status(due_on=due, done_on=done, today=today, soon_days=soon_days)))
    if facts.in_force_endorsed_on is not None:
        due = review_due(review_date=facts.in_force_review_date, endorsed_on=facts.in_force_endorsed_on,
                         months=review_months)
        # Starting a review does not meet the timeframe: the review is done when the next version
        # is endorsed, and that version then has a review timeframe of its own.
        name = "Plan review (under way)" if facts.review_started else "Plan review"
        frames.append(Timeframe("review", name, due,
                                timeframe_status(due_on=due, done_on=None, today=today, soon_days=soon_days)))
    return frames


# --- Permanency objective and legal status -------------------------------------------

# Which case plan goals fit which legal status (Child Safety Practice Manual): an order that
# removes custody or guardianship does not fit "remain at home", and so on.
CONSISTENT_GOALS: dict[str, frozenset[str]] = {
    "ipa": frozenset({"remain_home"}),
    "care_agreement": frozenset({"reunification"}),
    "directive_order": frozenset({"remain_home"}),
    "supervision_order": frozenset({"remain_home", "reunification"}),
    "short_term_custody": frozenset({"reunification"}),
    "short_term_guardianship": frozenset({"reunification"}),
    "ltg_chief_executive": frozenset({"long_term_care", "permanency"}),
    "ltg_suitable_person": frozenset({"long_term_care", "permanency"}),
    "permanent_care": frozenset({"permanency"}),
}


def objective_warning(objective: str, legal_status: str | None, *, objective_label: str = "",
                      status_label: str = "") -> str | None:
    """A warning when the permanency objective does not fit the child's legal status."""
    if not objective:
        return "No permanency objective chosen."
    if not legal_status:
        return "No legal status is recorded for this child; check the objective once it is."
    if objective not in CONSISTENT_GOALS.get(legal_status, frozenset()):
        return (f"\u201c{objective_label or objective}\u201d does not fit the child's legal status "
                f"(\u201c{status_label or legal_status}\u201d).")
    return None


def needs_cultural_plan(indigenous_status: str) -> bool:
    return indigenous_status in {"aboriginal", "torres_strait_islander", "both"}


# --- Concurrent planning (Ontario Standard 7) ------------------------------------------------
# At the first review after a child is placed in care and at every review after, the prognosis
# for reunification is recorded with its reasons; when it is poor, an alternate permanent plan
# (with whom, by what legal path, who was searched for and assessed) is recorded and endorsed by
# the team leader before the review can be completed.

GOOD, UNCERTAIN, POOR = "good", "uncertain", "poor"
PROGNOSIS_LABELS = {GOOD: "Good", UNCERTAIN: "Uncertain", POOR: "Poor"}


@dataclass(frozen=True)
class ChildPermanency:
    """What the review knows of one child: since when they are in care (None: not in care), the
    prognosis recorded at this review, and the state of their alternate permanent plan."""

    name: str
    placed_on: dt.date | None
    prognosis: str = ""
    alternate_recorded: bool = False
    alternate_endorsed: bool = False


def prognosis_required(*, is_review: bool, placed_on: dt.date | None, on: dt.date) -> bool:
    """A review version (not the first plan) of a child in care since ``on`` or before."""
    return is_review and placed_on is not None and placed_on <= on


def alternate_plan_required(prognosis: str) -> bool:
    return prognosis == POOR


def review_completion_problems(children: list[ChildPermanency], *, is_review: bool, on: dt.date) -> list[str]:
    """What concurrent planning still needs before a review version can be completed."""
    problems = []
    for child in children:
        if not prognosis_required(is_review=is_review, placed_on=child.placed_on, on=on):
            continue
        if not child.prognosis:
            problems.append(f"Record the prognosis for reunification of {child.name}, with its reasons.")
        elif alternate_plan_required(child.prognosis):
            if not child.alternate_recorded:
                problems.append(f"The prognosis for {child.name} is poor: record the alternate permanent plan.")
            elif not child.alternate_endorsed:
                problems.append(f"The alternate permanent plan for {child.name} needs the team leader's endorsement.")
    return problems
