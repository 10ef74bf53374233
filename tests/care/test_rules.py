"""The pure rules of family time and concurrent planning, without a database."""

import datetime as dt

from care import rules
from care.rules import CURRENT, DONE, PLANNED, StageFacts
from caseplans import rules as plan_rules
from caseplans.rules import ChildPermanency

TODAY = dt.date(2026, 6, 15)


def _stages(*statuses):
    return [StageFacts(n, status, TODAY + dt.timedelta(days=30 * (n - 1)), TODAY + dt.timedelta(days=30 * n))
            for n, status in enumerate(statuses, start=1)]


def test_the_next_stage_is_the_planned_one_after_the_current():
    assert rules.next_stage(_stages(DONE, CURRENT, PLANNED, PLANNED)).number == 3
    assert rules.next_stage(_stages(PLANNED, PLANNED)).number == 1
    assert rules.next_stage(_stages(DONE, CURRENT)) is None


def test_stages_are_taken_in_order_one_request_at_a_time():
    stages = _stages(CURRENT, PLANNED, PLANNED)
    assert rules.progression_problem(stages=stages, to_number=2, pending=False, today=TODAY) is None
    assert "next stage is stage 2" in rules.progression_problem(stages=stages, to_number=3, pending=False, today=TODAY)
    assert "already waiting" in rules.progression_problem(stages=stages, to_number=2, pending=True, today=TODAY)
    assert "no planned stage" in rules.progression_problem(stages=_stages(DONE, CURRENT), to_number=0,
                                                           pending=False, today=TODAY)


def test_a_stage_whose_review_date_has_passed_cannot_be_entered():
    stages = _stages(CURRENT, PLANNED)
    assert "review date has passed" in rules.progression_problem(stages=stages, to_number=2, pending=False,
                                                                 today=TODAY + dt.timedelta(days=61))


def test_only_a_team_leader_of_the_case_decides_and_never_their_own_request():
    assert "team leader" in rules.decide_problem(requested_by_id=1, user_id=2, is_team_leader_of_case=False,
                                                 status=rules.PENDING)
    assert "own request" in rules.decide_problem(requested_by_id=2, user_id=2, is_team_leader_of_case=True,
                                                 status=rules.PENDING)
    assert "already been decided" in rules.decide_problem(requested_by_id=1, user_id=2, is_team_leader_of_case=True,
                                                          status=rules.APPROVED)
    assert rules.decide_problem(requested_by_id=1, user_id=2, is_team_leader_of_case=True, status=rules.PENDING) is None


def test_a_review_is_overdue_the_day_after_its_date():
    assert not rules.review_overdue(TODAY, TODAY)
    assert rules.review_overdue(TODAY, TODAY + dt.timedelta(days=1))
    assert not rules.review_overdue(None, TODAY)
    assert rules.review_due_on(stage_review_on=TODAY, arrangement_review_on=TODAY + dt.timedelta(days=9)) == TODAY
    assert rules.review_due_on(stage_review_on=None, arrangement_review_on=TODAY) == TODAY


def test_stage_dates_must_follow_each_other():
    assert rules.stage_problem(starts_on=TODAY, review_on=TODAY, previous_starts_on=None)
    assert rules.stage_problem(starts_on=TODAY, review_on=TODAY + dt.timedelta(days=1),
                               previous_starts_on=TODAY + dt.timedelta(days=2))
    assert rules.stage_problem(starts_on=TODAY, review_on=TODAY + dt.timedelta(days=1), previous_starts_on=TODAY) is None


def test_a_session_says_who_missed_it_and_what_was_seen_when_held():
    base = {"on": TODAY, "today": TODAY, "started_on": TODAY - dt.timedelta(days=9)}
    assert "who missed" in rules.session_problem(outcome=rules.MISSED, by_whom="", observations="", **base)
    assert "observed" in rules.session_problem(outcome=rules.HELD, by_whom="", observations=" ", **base)
    assert rules.session_problem(outcome=rules.MISSED, by_whom="parent", observations="", **base) is None
    future = {**base, "on": TODAY + dt.timedelta(days=1)}
    assert "future" in rules.session_problem(outcome=rules.HELD, by_whom="", observations="x", **future)
    assert rules.session_problem(outcome=rules.CANCELLED, by_whom="carer", observations="", **future) is None


def test_an_alternate_plan_is_required_only_when_the_prognosis_is_poor():
    assert plan_rules.alternate_plan_required(plan_rules.POOR)
    assert not plan_rules.alternate_plan_required(plan_rules.UNCERTAIN)
    assert not plan_rules.alternate_plan_required(plan_rules.GOOD)


def test_the_prognosis_is_due_at_reviews_of_a_child_placed_before_them():
    placed = TODAY - dt.timedelta(days=100)
    assert plan_rules.prognosis_required(is_review=True, placed_on=placed, on=TODAY)
    assert not plan_rules.prognosis_required(is_review=False, placed_on=placed, on=TODAY)  # the first plan
    assert not plan_rules.prognosis_required(is_review=True, placed_on=None, on=TODAY)  # not in care
    assert not plan_rules.prognosis_required(is_review=True, placed_on=TODAY + dt.timedelta(days=1), on=TODAY)


def test_a_review_with_a_poor_prognosis_needs_an_endorsed_alternate_plan():
    placed = TODAY - dt.timedelta(days=100)

    def problems(**child):
        return plan_rules.review_completion_problems([ChildPermanency("Mia", placed, **child)], is_review=True,
                                                     on=TODAY)

    assert "Record the prognosis" in problems()[0]
    assert problems(prognosis=plan_rules.GOOD) == []
    assert "record the alternate permanent plan" in problems(prognosis=plan_rules.POOR)[0]
    assert "endorsement" in problems(prognosis=plan_rules.POOR, alternate_recorded=True)[0]
    assert problems(prognosis=plan_rules.POOR, alternate_recorded=True, alternate_endorsed=True) == []
    assert plan_rules.review_completion_problems([ChildPermanency("Mia", None)], is_review=True, on=TODAY) == []
