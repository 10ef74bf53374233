"""The US federal monthly caseworker-visit measure, as plain Python over plain data (no ORM).

Source: Child and Family Services Improvement Act of 2006 (Social Security Act §424(e)) and
the Children's Bureau's reporting instructions. A second measure beside the Queensland
standard (contacts.rules), for agencies that must report it; it never changes what the
standard requires.

For one case and one month, each child counted is a *child-month*:

- **Counted**: a child of the case (role child) in care (a living arrangement of kind
  ``in_care``) on **every** day of the calendar month, a member of the case all month, in a
  case open all month. A child who enters care, joins the case or leaves it during the month
  is not counted that month (moves between carers, all in care, do not break the month).
- **Visited**: a caseworker saw the child in person that month — a face-to-face contact
  with the child present, made by someone in the caseworker role (the same test as the
  standard's "by the caseworker" lines: support officers, other staff and service
  providers do not count).
- **In the residence**: at least one of those visits was in the child's residence: the
  contact's place is the child's living environment (placement / carer's home), or the
  residence of the person the child lived with that day.

The reported figures are sums over child-months:
visited ÷ counted (target ``FEDERAL_VISIT_TARGET``, default 95 %) and
in the residence ÷ visited (must exceed ``RESIDENCE_THRESHOLD`` = 50 %).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from contacts import rules

IN_CARE = "in_care"  # cases.models.LivingKind.IN_CARE
# The share of visited child-months with a visit in the residence must exceed this (percent).
RESIDENCE_THRESHOLD = 50


@dataclass(frozen=True, slots=True)
class ChildMonth:
    """One child in care for the full month, and the caseworker visits that month. (Stored as
    a JSON object with these field names in CaseMonth.federal.)"""

    member_id: int
    visits: tuple[int, ...] = ()  # contact ids: caseworker face-to-face with the child
    residence_visits: tuple[int, ...] = ()  # of those, in the child's residence
    first_visit_on: dt.date | None = None

    @property
    def visited(self) -> bool:
        return bool(self.visits)

    @property
    def at_residence(self) -> bool:
        return bool(self.residence_visits)


@dataclass(frozen=True, slots=True)
class FederalMonth:
    """The measure for one case-month: its child-months, in member order."""

    child_months: tuple[ChildMonth, ...] = ()

    @property
    def children(self) -> int:
        return len(self.child_months)

    @property
    def visited(self) -> int:
        return sum(1 for c in self.child_months if c.visited)

    @property
    def at_residence(self) -> int:
        return sum(1 for c in self.child_months if c.at_residence)


NONE = FederalMonth()


def in_care_all_month(arrangements: Sequence[Sequence], month: dt.date) -> bool:
    """Whether in-care arrangements (effective_from, effective_to, kind, …) cover every day of
    ``month`` with no gap (one or several, back to back)."""
    start, end = rules.month_start(month), rules.month_end(month)
    spells = sorted((row[0], row[1] or dt.date.max) for row in arrangements if row[2] == IN_CARE)
    covered_until = start - dt.timedelta(days=1)
    for first, last in spells:
        if first > covered_until + dt.timedelta(days=1):
            break  # a day without care before this spell
        covered_until = max(covered_until, last)
        if covered_until >= end:
            return True
    return covered_until >= end


def _lives_with_on(arrangements: Sequence[Sequence], day: dt.date) -> int | None:
    for first, last, _kind, with_person, *_ in arrangements:
        if first <= day and (last is None or day <= last):
            return with_person
    return None


def in_residence(contact: rules.Contact, arrangements: Sequence[Sequence]) -> bool:
    """The contact took place where the child lived that day."""
    if contact.location == rules.CHILD_LIVING_ENVIRONMENT:
        return True
    lives_with = _lives_with_on(arrangements, contact.on)
    return (contact.location == rules.PARENT_RESIDENCE and lives_with is not None
            and contact.location_person_id == lives_with)


def caseworker_visit(facts: rules.CaseMonthFacts, contact: rules.Contact, member_id: int) -> bool:
    """A caseworker saw the child in person: a contact the standard counts as face-to-face,
    with the child present, made in the caseworker role (the standard's own test for its "by
    the caseworker" lines, so the two measures cannot drift apart)."""
    return (contact.maker == rules.CASEWORKER and member_id in contact.participants
            and rules._counts_as_f2f(facts, contact))


def evaluate(facts: rules.CaseMonthFacts) -> FederalMonth:
    """The measure for one case and month, from the same facts as the standard."""
    start, end = rules.month_start(facts.month), rules.month_end(facts.month)
    if facts.opened_on > start or (facts.closed_on is not None and facts.closed_on < end):
        return NONE
    contacts = [c for c in facts.contacts if start <= c.on <= end]
    child_months = []
    for person in facts.people:
        if person.role != "child" or person.joined_on > start or (person.left_on is not None and person.left_on < end):
            continue
        arrangements = facts.living_arrangements.get(person.member_id, ())
        if not in_care_all_month(arrangements, start):
            continue
        seen = sorted((c for c in contacts if caseworker_visit(facts, c, person.member_id)), key=lambda c: (c.on, c.contact_id))
        child_months.append(ChildMonth(
            member_id=person.member_id, visits=tuple(c.contact_id for c in seen),
            residence_visits=tuple(c.contact_id for c in seen if in_residence(c, arrangements)),
            first_visit_on=seen[0].on if seen else None))
    child_months.sort(key=lambda c: c.member_id)
    return FederalMonth(tuple(child_months)) if child_months else NONE


def percent(part: int, whole: int) -> float | None:
    """A share in percent to one decimal, None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def meets_target(visited: int, children: int, target: int) -> bool | None:
    """Visited child-months reach ``target`` percent (exactly, not the rounded share)."""
    return visited * 100 >= target * children if children else None


def residence_met(at_residence: int, visited: int) -> bool | None:
    """More than half (RESIDENCE_THRESHOLD) of the visited child-months had a visit in the residence."""
    return at_residence * 100 > RESIDENCE_THRESHOLD * visited if visited else None
