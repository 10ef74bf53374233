"""The pure rules of children in care, without a database."""

import datetime as dt

from care import rules
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
