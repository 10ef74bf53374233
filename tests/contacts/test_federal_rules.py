"""The US federal monthly caseworker-visit measure (contacts/federal.py), without a database.

Case 1, open all year, March 2026 (31 days). Children in care with their carer Carol
(person 130); Kylie (person 120) is their mother."""

import datetime as dt

import pytest

from contacts import federal
from contacts.rules import CaseMonthFacts, Contact, Person

MARCH = dt.date(2026, 3, 1)
CAROL, KYLIE = 130, 120
_ids = iter(range(1000, 100000))


def child(member_id, joined=dt.date(2025, 1, 1), left=None):
    return Person(member_id, 100 + member_id, "child", f"Child{member_id}", joined, left, legal_status="custody",
                  in_care=True, lives_with_person_id=CAROL)


def in_care(since=dt.date(2025, 6, 1), until=None, kind="in_care", with_person=CAROL):
    return (since, until, kind, with_person)


def visit(day=5, who=(10,), maker="caseworker", kind="face_to_face", location="child_living_environment", at=None):
    return Contact(next(_ids), MARCH.replace(day=day), kind, maker, frozenset(who), location, at)


def facts(people, living, contacts=(), opened=dt.date(2025, 1, 1), closed=None):
    return CaseMonthFacts(case_id=1, month=MARCH, opened_on=opened, closed_on=closed, risk_level=None,
                          people=tuple(people), contacts=tuple(contacts), living_arrangements=living)


def test_a_child_in_care_all_month_seen_by_the_caseworker_at_the_placement_counts_seen_in_the_residence():
    seen = visit(day=9)
    result = federal.evaluate(facts([child(10)], {10: (in_care(),)}, [seen]))
    assert (result.children, result.visited, result.at_residence) == (1, 1, 1)
    assert result.child_months[0] == federal.ChildMonth(10, (seen.contact_id,), (seen.contact_id,), MARCH.replace(day=9))


@pytest.mark.parametrize("arrangements,counted", [
    ((in_care(),), True),
    ((in_care(since=MARCH),), True),  # from the 1st
    ((in_care(since=dt.date(2026, 3, 2)),), False),  # entered care on the 2nd
    ((in_care(until=dt.date(2026, 3, 30)),), False),  # left care before the last day
    ((in_care(until=dt.date(2026, 3, 31)),), True),
    # A move between carers on the 15th, in care throughout.
    ((in_care(since=dt.date(2026, 3, 15), with_person=131), in_care(until=dt.date(2026, 3, 14))), True),
    # A day at home between two placements.
    ((in_care(since=dt.date(2026, 3, 16), with_person=131), in_care(until=dt.date(2026, 3, 14))), False),
    ((in_care(kind="at_home", with_person=KYLIE),), False),
    ((in_care(kind="permanent_guardian"),), False),
    ((), False),
])
def test_only_a_child_in_care_on_every_day_of_the_month_is_a_child_month(arrangements, counted):
    result = federal.evaluate(facts([child(10)], {10: arrangements}, [visit()]))
    assert result.children == int(counted)


@pytest.mark.parametrize("person,opened,closed", [
    (child(10, joined=dt.date(2026, 3, 4)), dt.date(2025, 1, 1), None),  # joined the case in the month
    (child(10, left=dt.date(2026, 3, 20)), dt.date(2025, 1, 1), None),  # left it
    (child(10), dt.date(2026, 3, 2), None),  # the case opened on the 2nd
    (child(10), dt.date(2025, 1, 1), dt.date(2026, 3, 30)),  # closed before the month ended
])
def test_a_child_or_case_not_there_all_month_is_not_counted(person, opened, closed):
    assert federal.evaluate(facts([person], {10: (in_care(),)}, [visit()], opened=opened, closed=closed)) == federal.NONE


@pytest.mark.parametrize("contact", [
    visit(maker="support_officer"),
    visit(maker="other_staff"),
    visit(maker="provider"),
    visit(kind="other"),  # phone, video, attempted
    visit(kind="support"),
    visit(who=(11,)),  # the child was not there
])
def test_only_a_caseworkers_face_to_face_contact_with_the_child_is_a_visit(contact):
    result = federal.evaluate(facts([child(10)], {10: (in_care(),)}, [contact]))
    assert (result.children, result.visited, result.at_residence) == (1, 0, 0)


def test_a_visit_elsewhere_counts_seen_but_not_in_the_residence():
    at_school = visit(location="school")
    at_mothers = visit(location="parent_residence", at=KYLIE)  # family time at the mother's: not where the child lives
    result = federal.evaluate(facts([child(10)], {10: (in_care(),)}, [at_school, at_mothers]))
    assert (result.visited, result.at_residence) == (1, 0)
    assert result.child_months[0].visits == (at_school.contact_id, at_mothers.contact_id)


def test_a_visit_at_the_home_of_the_person_the_child_lived_with_that_day_is_in_the_residence():
    home = visit(location="parent_residence", at=CAROL)
    result = federal.evaluate(facts([child(10)], {10: (in_care(),)}, [home]))
    assert result.at_residence == 1


def test_one_visit_in_the_residence_is_enough_for_the_month():
    result = federal.evaluate(facts([child(10)], {10: (in_care(),)}, [visit(day=2, location="office"), visit(day=20)]))
    assert (result.visited, result.at_residence) == (1, 1)
    assert result.child_months[0].first_visit_on == dt.date(2026, 3, 2)


def test_each_child_is_its_own_child_month():
    both = visit(who=(10, 11))
    result = federal.evaluate(facts([child(11), child(10), child(12)],
                                    {10: (in_care(),), 11: (in_care(),), 12: (in_care(since=dt.date(2026, 3, 10)),)},
                                    [both, visit(who=(10,), location="school")]))
    assert [c.member_id for c in result.child_months] == [10, 11]
    assert (result.children, result.visited, result.at_residence) == (2, 2, 2)


def test_a_contact_of_another_month_is_not_a_visit():
    april = Contact(next(_ids), dt.date(2026, 4, 1), "face_to_face", "caseworker", frozenset({10}),
                    "child_living_environment", None)
    assert federal.evaluate(facts([child(10)], {10: (in_care(),)}, [april])).visited == 0


@pytest.mark.parametrize("visited,children,target,met", [
    (95, 100, 95, True), (94, 100, 95, False), (19, 20, 95, True), (0, 0, 95, None), (1, 1, 100, True),
])
def test_the_target_is_reached_at_exactly_the_percentage(visited, children, target, met):
    assert federal.meets_target(visited, children, target) is met


@pytest.mark.parametrize("at_residence,visited,met", [(51, 100, True), (50, 100, False), (1, 1, True), (0, 0, None)])
def test_the_residence_share_must_exceed_half(at_residence, visited, met):
    assert federal.residence_met(at_residence, visited) is met


def test_percentages_are_to_one_decimal_and_none_of_nothing():
    assert federal.percent(2, 3) == 66.7 and federal.percent(0, 0) is None
