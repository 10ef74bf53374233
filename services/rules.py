"""Pure rules of referrals: the status table, what each change needs, cost and update dates.

No ORM and no request here: the services module gathers the facts, these functions
decide, so every rule can be tested (and read) without a database.

The status table follows "Engage a service provider" in the practice manual:

    draft ──▶ sent ──▶ accepted ──▶ active ──▶ completed
      │         │          │          │
      │         │          └──────────┴──────▶ withdrawn
      │         ├──▶ unable to accept ──▶ closed
      └─────────┴─────────────────────────────▶ withdrawn

A provider that is unable to accept leaves the referral open until the caseworker has
recorded a case note and the alternatives considered; only then can it be closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from casework.dates import day_label

DRAFT = "draft"
SENT = "sent"
ACCEPTED = "accepted"
UNABLE_TO_ACCEPT = "unable_to_accept"
ACTIVE = "active"
COMPLETED = "completed"
WITHDRAWN = "withdrawn"
CLOSED = "closed"

STATUS_LABELS = {
    DRAFT: "Draft",
    SENT: "Sent",
    ACCEPTED: "Accepted",
    UNABLE_TO_ACCEPT: "Unable to accept",
    ACTIVE: "Active",
    COMPLETED: "Completed",
    WITHDRAWN: "Withdrawn",
    CLOSED: "Closed (not accepted)",
}

# from status → the statuses it may change to. Everything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SENT, WITHDRAWN),
    SENT: (ACCEPTED, UNABLE_TO_ACCEPT, WITHDRAWN),
    ACCEPTED: (ACTIVE, WITHDRAWN),
    UNABLE_TO_ACCEPT: (CLOSED,),
    ACTIVE: (COMPLETED, WITHDRAWN),
    COMPLETED: (),
    WITHDRAWN: (),
    CLOSED: (),
}

# What the caseworker does to reach each status (button labels and API documentation).
ACTION_LABELS = {
    SENT: "Mark as sent",
    ACCEPTED: "Provider accepted",
    UNABLE_TO_ACCEPT: "Provider unable to accept",
    ACTIVE: "Service started",
    COMPLETED: "Service completed",
    WITHDRAWN: "Withdraw referral",
    CLOSED: "Close referral",
}

FINISHED = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
OPEN = frozenset(TRANSITIONS) - FINISHED
# While active, the provider is involved in implementing the case plan: its workers'
# face-to-face contacts supplement the minimum-contact standard.
INVOLVED = ACTIVE
# A communication plan is agreed once the provider has accepted.
PLAN_STATUSES = frozenset({ACCEPTED, ACTIVE})
# Cost approval states.
PENDING, APPROVED, DECLINED = "pending", "approved", "declined"


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _labels(statuses) -> str:
    names = [label(s).lower() for s in statuses]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class TransitionFacts:
    """Everything a status change is judged on."""

    status: str
    on: dt.date
    today: dt.date
    last_change_on: dt.date
    people_referred: int = 0
    costs_money: bool = False
    cost_approval: str | None = None  # status of the latest cost approval, if any
    note: str = ""
    unable_note: str = ""  # the case note recorded when the provider could not accept
    alternatives: str = ""
    case_closing: bool = False


def transition_problems(target: str, facts: TransitionFacts) -> list[str]:
    """Why the referral may not change to ``target`` (empty when it may)."""
    allowed = TRANSITIONS.get(facts.status, ())
    if target not in allowed:
        if not allowed:
            return [f"A referral that is {label(facts.status).lower()} is finished and cannot change any more."]
        return [f"A referral that is {label(facts.status).lower()} cannot become {label(target).lower()}; "
                f"it can become {_labels(allowed)}."]
    problems = []
    if facts.on > facts.today:
        problems.append("The date cannot be in the future.")
    if facts.on < facts.last_change_on:
        problems.append(f"The date cannot be before the previous change ({day_label(facts.last_change_on)}).")
    if target == SENT:
        if facts.people_referred < 1:
            problems.append("Name at least one person referred.")
        problems.extend(cost_problems(facts.costs_money, facts.cost_approval))
    elif target == UNABLE_TO_ACCEPT and not facts.note.strip():
        problems.append("Record a case note: what the provider said and why it cannot accept the referral.")
    elif target == CLOSED and not facts.case_closing:
        if not facts.unable_note.strip():
            problems.append("Record a case note about the provider being unable to accept before closing.")
        if not facts.alternatives.strip():
            problems.append("Record the alternatives considered (other possible services) before closing.")
    elif target == WITHDRAWN and not facts.note.strip():
        problems.append("Give the reason for withdrawing the referral.")
    return problems


def cost_problems(costs_money: bool, approval_status: str | None) -> list[str]:
    """A service that costs money is sent only after a financial delegate approved the payment."""
    if not costs_money or approval_status == APPROVED:
        return []
    if approval_status == PENDING:
        return ["The payment is waiting for a financial delegate's approval; the referral cannot be sent yet."]
    if approval_status == DECLINED:
        return ["The payment was declined by the financial delegate; confirm a revised cost and ask again, "
                "or withdraw the referral."]
    return ["This service costs money: confirm the cost and have the payment approved by a financial delegate "
            "before sending the referral."]


def cost_request_problems(*, status: str, costs_money: bool, approval_status: str | None,
                          cost_per_session: Decimal, sessions: int) -> list[str]:
    if status != DRAFT:
        return ["The cost can only be confirmed while the referral is a draft."]
    if not costs_money:
        return ["This service is free; no payment approval is needed."]
    if approval_status == PENDING:
        return ["A payment approval is already waiting for a financial delegate."]
    if approval_status == APPROVED:
        return ["The payment is already approved."]
    problems = []
    if cost_per_session <= 0:
        problems.append("The confirmed cost per session must be more than zero.")
    if sessions < 1:
        problems.append("The number of sessions must be at least one.")
    return problems


def cost_decision_problems(*, approval_status: str, decider_id: int, requester_id: int, creator_id: int | None,
                           is_delegate: bool, approve: bool, comment: str) -> list[str]:
    if not is_delegate:
        return ["Only a financial delegate can approve or decline a payment."]
    if approval_status != PENDING:
        return ["This payment has already been decided."]
    if decider_id in (requester_id, creator_id):
        return ["You cannot approve or decline a payment for a referral you made or asked approval for; "
                "another financial delegate must decide."]
    if not approve and not comment.strip():
        return ["Give the reason for declining the payment."]
    return []


def total_cost(cost_per_session: Decimal, sessions: int) -> Decimal:
    return (Decimal(cost_per_session) * sessions).quantize(Decimal("0.01"))


def next_update_due(*, plan_started_on: dt.date, last_update_on: dt.date | None, every_days: int) -> dt.date:
    """The date the next update from the provider is due under the communication plan."""
    return (last_update_on or plan_started_on) + dt.timedelta(days=every_days)

