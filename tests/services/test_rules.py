"""The pure rules of referrals, without a database: the status table, what each step
needs, cost approval and when updates fall due."""

import datetime as dt
from decimal import Decimal

import pytest

from services import rules
from services.models import CostApprovalStatus, ReferralStatus

TODAY = dt.date(2026, 5, 20)
ALL = list(rules.STATUS_LABELS)


def facts(status, **overrides):
    values = dict(status=status, on=TODAY, today=TODAY, last_change_on=TODAY - dt.timedelta(days=5),
                  people_referred=1, costs_money=False, cost_approval=None, note="A note", unable_note="Full",
                  alternatives="Another service")
    values.update(overrides)
    return rules.TransitionFacts(**values)


def test_the_status_table_is_the_one_in_the_issue():
    assert rules.TRANSITIONS == {
        "draft": ("sent", "withdrawn"),
        "sent": ("accepted", "unable_to_accept", "withdrawn"),
        "accepted": ("active", "withdrawn"),
        "unable_to_accept": ("closed",),
        "active": ("completed", "withdrawn"),
        "completed": (), "withdrawn": (), "closed": (),
    }
    assert rules.FINISHED == {"completed", "withdrawn", "closed"}


def test_model_choices_match_the_rules():
    assert set(ReferralStatus.values) == set(rules.STATUS_LABELS)
    assert set(CostApprovalStatus.values) == {rules.PENDING, rules.APPROVED, rules.DECLINED}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_step_is_allowed_exactly_when_the_table_says_so(current, target):
    problems = rules.transition_problems(target, facts(current))
    if target in rules.TRANSITIONS[current]:
        assert problems == []
    else:
        assert len(problems) == 1
        assert rules.label(current).lower() in problems[0]


def test_a_refused_step_names_the_steps_that_are_possible():
    [problem] = rules.transition_problems("completed", facts("sent"))
    assert problem == ("A referral that is sent cannot become completed; "
                       "it can become accepted, unable to accept or withdrawn.")


def test_a_finished_referral_says_it_cannot_change():
    [problem] = rules.transition_problems("active", facts("completed"))
    assert "finished" in problem


def test_dates_cannot_be_in_the_future_or_before_the_previous_change():
    assert rules.transition_problems("accepted", facts("sent", on=TODAY + dt.timedelta(days=1))) == [
        "The date cannot be in the future."]
    [problem] = rules.transition_problems("accepted", facts("sent", on=TODAY - dt.timedelta(days=6)))
    assert "before the previous change" in problem


def test_sending_needs_someone_referred():
    assert rules.transition_problems("sent", facts("draft", people_referred=0)) == [
        "Name at least one person referred."]


@pytest.mark.parametrize("approval,allowed", [(None, False), ("pending", False), ("declined", False),
                                              ("approved", True)])
def test_a_service_that_costs_money_is_sent_only_after_payment_approval(approval, allowed):
    problems = rules.transition_problems("sent", facts("draft", costs_money=True, cost_approval=approval))
    assert (problems == []) is allowed
    if not allowed:
        assert "financial delegate" in problems[0]


def test_a_free_service_needs_no_approval():
    assert rules.transition_problems("sent", facts("draft", costs_money=False)) == []


def test_unable_to_accept_needs_a_case_note():
    [problem] = rules.transition_problems("unable_to_accept", facts("sent", note="  "))
    assert "case note" in problem


def test_closing_after_unable_to_accept_needs_case_note_and_alternatives():
    problems = rules.transition_problems("closed", facts("unable_to_accept", unable_note="", alternatives=""))
    assert len(problems) == 2
    assert "case note" in problems[0] and "alternatives" in problems[1]


def test_case_closure_may_close_without_alternatives():
    assert rules.transition_problems("closed", facts("unable_to_accept", alternatives="", case_closing=True)) == []


def test_withdrawing_needs_a_reason():
    [problem] = rules.transition_problems("withdrawn", facts("active", note=""))
    assert "reason" in problem


def test_cost_request_rules():
    ok = dict(status="draft", costs_money=True, approval_status=None, cost_per_session=Decimal("100"), sessions=3)
    assert rules.cost_request_problems(**ok) == []
    assert rules.cost_request_problems(**{**ok, "approval_status": "declined"}) == []
    assert "draft" in rules.cost_request_problems(**{**ok, "status": "sent"})[0]
    assert "free" in rules.cost_request_problems(**{**ok, "costs_money": False})[0]
    assert "already waiting" in rules.cost_request_problems(**{**ok, "approval_status": "pending"})[0]
    assert "already approved" in rules.cost_request_problems(**{**ok, "approval_status": "approved"})[0]
    assert len(rules.cost_request_problems(**{**ok, "cost_per_session": Decimal("0"), "sessions": 0})) == 2


def test_cost_decisions_refuse_self_approval_and_non_delegates():
    ok = dict(approval_status="pending", decider_id=1, requester_id=2, creator_id=3, is_delegate=True, approve=True,
              comment="")
    assert rules.cost_decision_problems(**ok) == []
    assert "Only a financial delegate" in rules.cost_decision_problems(**{**ok, "is_delegate": False})[0]
    assert "cannot approve" in rules.cost_decision_problems(**{**ok, "decider_id": 2})[0]
    assert "cannot approve" in rules.cost_decision_problems(**{**ok, "decider_id": 3})[0]
    assert "already been decided" in rules.cost_decision_problems(**{**ok, "approval_status": "approved"})[0]
    assert "reason for declining" in rules.cost_decision_problems(**{**ok, "approve": False})[0]
    assert rules.cost_decision_problems(**{**ok, "approve": False, "comment": "Too costly"}) == []


def test_total_cost_and_update_due_dates():
    assert rules.total_cost(Decimal("120.00"), 6) == Decimal("720.00")
    start = dt.date(2026, 3, 1)
    assert rules.next_update_due(plan_started_on=start, last_update_on=None, every_days=14) == dt.date(2026, 3, 15)
    assert rules.next_update_due(plan_started_on=start, last_update_on=dt.date(2026, 3, 10),
                                 every_days=14) == dt.date(2026, 3, 24)
