"""The pure rules of children in care, without a database."""

import datetime as dt

from care import rules
from care.rules import CURRENT, DONE, PLANNED, StageFacts
from caseplans import rules as plan_rules
from caseplans.rules import ChildPermanency
from contacts import rules as contact_rules

D = dt.date


def test_stability_counts_the_in_care_periods_overlapping_the_last_twelve_months():
    today = D(2026, 6, 15)
    periods = [(D(2025, 1, 1), D(2025, 6, 15)),  # ended the day before the window opened
               (D(2025, 6, 16), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 3, 1)), (D(2026, 3, 2), None)]
    assert rules.placements_in_last_12_months(periods, today) == 3
    assert rules.placements_in_last_12_months(periods[:1], today) == 0
    assert rules.placements_in_last_12_months([(D(2026, 7, 1), None)], today) == 0  # not started yet


def test_three_placements_in_twelve_months_is_unstable():
    assert rules.stability_label(1) == "1 placement in 12 months"
    assert rules.stability_label(2) == "2 placements in 12 months"
    assert rules.stability_label(3).endswith("unstable") and rules.is_unstable(3) and not rules.is_unstable(2)
    assert rules.stability_label(0) == "Not in care in the last 12 months"


JANUARY_10 = D(2026, 1, 10)


def _placement(visits=(), last=None, start=JANUARY_10, end=None, pid=1):
    return rules.CarerPlacement(pid, 11, "Ava", "Fictional Lee household", start, end, tuple(visits), last)


def test_a_placement_never_visited_is_due_in_its_first_month_and_a_visit_meets_it():
    lines, not_due = rules.carer_visit_lines([_placement(visits=[(5, D(2026, 1, 20))])], D(2026, 1, 1), 1)
    assert not not_due and len(lines) == 1
    assert lines[0].required == 1 and lines[0].counted == (5,) and lines[0].due_on == D(2026, 1, 31)
    short, _ = rules.carer_visit_lines([_placement()], D(2026, 1, 1), 1)
    assert short[0].counted == ()


def test_every_three_months_the_carer_line_skips_two_months_after_a_visit():
    placement = _placement(last=D(2026, 2, 3))
    for month, due in ((D(2026, 3, 1), False), (D(2026, 4, 1), False), (D(2026, 5, 1), True)):
        lines, not_due = rules.carer_visit_lines([placement], month, 3)
        assert bool(lines) is due, month
        assert bool(not_due) is not due
    assert rules.carer_visit_lines([placement], D(2026, 3, 1), 3)[1][0].due_on == D(2026, 5, 31)


def test_a_placement_ended_before_the_month_has_no_line():
    lines, not_due = rules.carer_visit_lines([_placement(end=D(2026, 1, 31))], D(2026, 2, 1), 1)
    assert lines == [] and not_due == []


def _facts(**more):
    child = contact_rules.Person(11, 101, "child", "Ava", D(2025, 1, 1), legal_status="short_term_custody",
                                 goal="long_term_care", in_care=True)
    return contact_rules.CaseMonthFacts(case_id=1, month=D(2026, 3, 1), opened_on=D(2025, 1, 1), closed_on=None,
                                        risk_level="low", people=(child,), **more)


def test_the_carer_line_is_counted_separately_from_the_childs_requirement():
    seen = contact_rules.Contact(7, D(2026, 3, 5), "face_to_face", "caseworker", frozenset({11}),
                                 "child_living_environment")
    without = contact_rules.evaluate(_facts(contacts=(seen,)))
    with_carer = contact_rules.evaluate(_facts(contacts=(seen,), carer_placements=(_placement(last=D(2026, 2, 1)),)))
    assert without.status == with_carer.status == contact_rules.MET  # the carer line does not make it short
    assert with_carer.lines == without.lines and with_carer.required_total == without.required_total
    assert [(line.code, line.required, line.achieved) for line in with_carer.separate_lines] == [
        (rules.CARER_VISIT, 1, 0)]
    assert contact_rules.still_needed_visits(with_carer) == 0


def test_a_short_requirement_does_not_hide_a_met_carer_line_nor_the_other_way_round():
    carer_visit = contact_rules.Contact(8, D(2026, 3, 9), "support", "caseworker", frozenset(), "")
    evaluation = contact_rules.evaluate(_facts(contacts=(carer_visit,), carer_placements=(
        _placement(visits=[(8, D(2026, 3, 9))], last=D(2026, 2, 1)),)))
    assert evaluation.status == contact_rules.SHORT
    assert evaluation.separate_lines[0].met and evaluation.separate_lines[0].counted == (8,)
    assert 8 not in dict(evaluation.not_counted)  # it counted, for the carer line


def test_the_carer_line_shows_even_when_the_standard_cannot_be_assessed():
    facts = _facts(contacts=(), carer_placements=(_placement(),))
    facts = facts._replace(people=(facts.people[0]._replace(legal_status=None, in_care=False),))
    evaluation = contact_rules.evaluate(facts)
    assert evaluation.status == contact_rules.NOT_ASSESSABLE and len(evaluation.separate_lines) == 1


def test_a_closed_case_has_no_carer_line():
    facts = _facts(contacts=(), carer_placements=(_placement(),))._replace(closed_on=D(2026, 2, 1))
    assert contact_rules.evaluate(facts).separate_lines == ()


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
