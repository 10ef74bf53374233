"""The minimum-contact standard, as plain Python over plain data (no ORM, no request).

Source: Queensland Child Safety Practice Manual, ch. 4.2 "Provide for family contact",
Tables 1–3 and "Other contact requirements". The tables below are written to be
checked line by line against the manual by a practice leader.

Given one case's facts for one calendar month (:class:`CaseMonthFacts`),
:func:`evaluate` returns every requirement line with the required count, the achieved
count, the contacts counted and the status, plus, for each contact of the month that
counted toward nothing, why not.

Definitions used throughout
- Month: a calendar month in the agency time zone (callers pass local dates).
- Face-to-face (F2F): an in-person, completed contact with the person present.
  Telephone, video and attempted visits never count as F2F.
- Support contact: a completed personal or telephone contact with someone other than the
  case's parents and children who holds information about them; counted per case.
- "By the caseworker": made by a staff member with the caseworker role. Support
  officers' F2F contacts count toward totals, not toward "by caseworker" lines. A
  service provider's F2F contact counts toward totals only on dates the provider is
  involved in implementing the case plan, and never toward "by caseworker" lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from care import rules as care_rules
from casework.dates import add_months, day_label  # also used as rules.add_months by the other contacts modules

# --- Vocabulary ------------------------------------------------------------------

LOW, MODERATE, HIGH = "low", "moderate", "high"

# Legal statuses (cases.models.InterventionType values).
IN_HOME_STATUSES = frozenset({"ipa", "care_agreement", "directive_order", "supervision_order"})
LTG_SUITABLE_PERSON = "ltg_suitable_person"
PERMANENT_CARE = "permanent_care"
REUNIFICATION_GOAL = "reunification"

# Case types, in the order of precedence used to name a family's case type for the month.
REUNIFICATION = "reunification"
IN_HOME = "in_home"
IN_CARE = "in_care"  # child in care, goal not reunification
LTG_SUITABLE = "ltg_suitable_person"
PERMANENT = "permanent_care"
CASE_TYPE_LABELS = {
    REUNIFICATION: "Reunification",
    IN_HOME: "In-home",
    IN_CARE: "Child in care (goal not reunification)",
    LTG_SUITABLE: "Long-term guardianship to a suitable person",
    PERMANENT: "Permanent care order",
}

# Contact kinds and makers (contacts.models values).
FACE_TO_FACE, SUPPORT, OTHER, NOTE = "face_to_face", "support", "other", "note"
CASEWORKER, SUPPORT_OFFICER, OTHER_STAFF, PROVIDER = "caseworker", "support_officer", "other_staff", "provider"
PARENT_RESIDENCE, CHILD_LIVING_ENVIRONMENT = "parent_residence", "child_living_environment"

# --- The tables -------------------------------------------------------------------


@dataclass(frozen=True)
class InHomeRow:
    """Table 1 — in-home cases, per month. Each child and each parent of the household
    is counted separately; support contacts are counted for the case."""

    f2f_each: int  # face-to-face with each child and each parent
    at_parents_residence: int  # of those, at the parent's residence
    by_caseworker: int  # of those, made by the caseworker (Table 3: CSO contacts)
    support: int  # support contacts (case)


TABLE_1_IN_HOME = {
    #         F2F each  at residence  by caseworker  support
    LOW: InHomeRow(1, 1, 1, 1),
    MODERATE: InHomeRow(2, 1, 1, 2),
    HIGH: InHomeRow(4, 2, 2, 4),
}


@dataclass(frozen=True)
class ReunificationRow:
    """Table 2 — at least one child in care with the goal of reunification, per month."""

    f2f_each_parent: int
    f2f_each_child: int
    support: int  # support contacts (case)


TABLE_2_REUNIFICATION = {
    #               parent  child  support
    LOW: ReunificationRow(1, 1, 1),
    MODERATE: ReunificationRow(2, 1, 2),
    HIGH: ReunificationRow(3, 1, 4),
}
# Table 3, reunification: the caseworker sees each child at least once in the child's
# current living environment, and each parent at least once in the parent's residence.
REUNIFICATION_CASEWORKER_WITH_CHILD_IN_ENVIRONMENT = 1
REUNIFICATION_CASEWORKER_WITH_PARENT_AT_RESIDENCE = 1

# Other contact requirements.
IN_CARE_F2F_PER_MONTH = 1  # by Child Safety (any staff member, a team leader too), goal not reunification
LTG_SUITABLE_PERSON_PERIOD_MONTHS = 12  # one F2F with the child and the guardian per 12 months

# Line codes. Override/increase adjustments name these (see ADJUSTABLE).
F2F = "f2f"
F2F_AT_RESIDENCE = "f2f_at_residence"
F2F_BY_CASEWORKER = "f2f_by_caseworker"
SUPPORT_CONTACTS = "support"
CASEWORKER_IN_CHILD_ENVIRONMENT = "caseworker_in_child_environment"
CASEWORKER_AT_PARENT_RESIDENCE = "caseworker_at_parent_residence"
F2F_CHILD_IN_CARE = "f2f_child_in_care"
F2F_WITH_GUARDIAN = "f2f_with_guardian"

# What an override or an increase may set: key → (line code, role it applies to or None for all).
ADJUSTABLE = {
    "f2f_child": "Face-to-face with each child",
    "f2f_parent": "Face-to-face with each parent",
    "at_residence": "Of those, at the parent's residence",
    "by_caseworker": "Of those, by the caseworker",
    "support": "Support contacts (case)",
}


def _adjustment_key(code: str, role: str) -> str | None:
    if code in (F2F, F2F_CHILD_IN_CARE):
        return "f2f_child" if role == "child" else "f2f_parent"
    if code == F2F_AT_RESIDENCE:
        return "at_residence"
    if code in (F2F_BY_CASEWORKER, CASEWORKER_IN_CHILD_ENVIRONMENT, CASEWORKER_AT_PARENT_RESIDENCE):
        return "by_caseworker"
    if code == SUPPORT_CONTACTS:
        return "support"
    return None


# --- Input facts -----------------------------------------------------------------


class Person(NamedTuple):
    """A member of the case. Child facts are those in force on the month's reference day.
    (Named tuples, not dataclasses: the nightly run builds hundreds of thousands of them.)"""

    member_id: int
    person_id: int
    role: str  # child, parent, carer, family, significant
    name: str
    joined_on: dt.date
    left_on: dt.date | None = None
    legal_status: str | None = None
    goal: str | None = None
    in_care: bool = False
    lives_with_person_id: int | None = None  # the parent (at home) or carer (in care)
    order_started_on: dt.date | None = None  # start of the current legal status
    with_permanent_guardian: bool = False  # the living arrangement is with their permanent guardian


class Contact(NamedTuple):
    contact_id: int
    on: dt.date  # local date in the agency time zone
    kind: str  # face_to_face, support, other, note
    maker: str  # caseworker, support_officer, other_staff, provider
    participants: frozenset[int] = frozenset()  # member ids
    location: str = ""
    location_person_id: int | None = None  # whose residence, for parent_residence
    provider_id: int | None = None


@dataclass(frozen=True)
class Adjustment:
    """An approved override (replaces the standard) or increase (raises it)."""

    kind: str  # "override" or "increase"
    counts: dict[str, int]
    approved_by: str
    request_id: int | None = None


class CaseMonthFacts(NamedTuple):
    case_id: int
    month: dt.date  # any day of the month; normalised to the first
    opened_on: dt.date
    closed_on: dt.date | None
    risk_level: str | None
    people: tuple[Person, ...]
    contacts: tuple[Contact, ...]
    involved_providers: tuple[tuple[int, dt.date, dt.date | None], ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    # For long-term guardianship to a suitable person: member id → date of the latest F2F
    # with the child and the guardian before this month.
    last_guardian_contact: Mapping[int, dt.date] = MappingProxyType({})
    # Children in care (care.rules): the month's placements and how often their carers are visited.
    carer_placements: tuple = ()
    carer_visit_months: int = 1
    # Child member id → every living arrangement of the month, latest first: (effective_from,
    # effective_to, kind, with_person_id). Read by the federal visit measure (contacts.federal).
    living_arrangements: Mapping[int, tuple[tuple[dt.date, dt.date | None, str, int | None], ...]] = \
        MappingProxyType({})


# --- Output -----------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    """One requirement line. (A slotted dataclass: cheap to build for every line of every
    case each night, and stored as a JSON object with these field names.)"""

    code: str
    description: str
    member_id: int | None  # None for case-level lines
    person_name: str
    role: str  # child, parent, case
    required: int
    achieved: int
    counted: tuple[int, ...]
    due_on: dt.date | None = None
    standard: int | None = None  # the count before an override/increase, when one applied
    # Contacts with the person that did not count for this line, and why: (contact id, reason).
    missed: tuple[tuple[int, str], ...] = ()

    @property
    def met(self) -> bool:
        return self.achieved >= self.required

    @property
    def short_by(self) -> int:
        return max(0, self.required - self.achieved)

    @property
    def status(self) -> str:
        return "met" if self.met else f"short by {self.short_by}"


MET, SHORT, NOT_ASSESSABLE, NO_REQUIREMENT = "met", "short", "not_assessable", "no_requirement"


class Evaluation(NamedTuple):
    case_id: int
    month: dt.date
    case_type: str | None
    risk_level: str | None
    lines: tuple[Line, ...]
    not_counted: tuple[tuple[int, tuple[str, ...]], ...]
    not_assessable_reason: str = ""
    adjustment: Adjustment | None = None
    notes: tuple[str, ...] = ()
    # Lines of another standard shown with the month's (visit the carer, care.rules): never in
    # the status, the totals or what is still needed, so neither standard hides the other.
    separate_lines: tuple[Line, ...] = ()

    @property
    def assessable(self) -> bool:
        return not self.not_assessable_reason

    @property
    def status(self) -> str:
        if not self.assessable:
            return NOT_ASSESSABLE
        if not self.lines:
            return NO_REQUIREMENT
        return MET if all(line.met for line in self.lines) else SHORT

    @property
    def required_total(self) -> int:
        return sum(line.required for line in self.lines)

    @property
    def achieved_total(self) -> int:
        return sum(min(line.achieved, line.required) for line in self.lines)


# --- Calendar helpers -----------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_overlapping(first: dt.date, last: dt.date | None, month: dt.date) -> int:
    """Days of ``month`` within [first, last] (last None = open-ended)."""
    return _overlap(first, last, month_start(month), month_end(month))


def _overlap(first: dt.date, last: dt.date | None, start: dt.date, end: dt.date) -> int:
    return max(0, (min(last or end, end) - max(first, start)).days + 1)


def prorate(count: int, days_in_case: int, days_in_month: int) -> int:
    """Partial months: n becomes ceil(n × days in case ÷ days in month)."""
    if count <= 0 or days_in_case <= 0:
        return 0
    if days_in_case >= days_in_month:
        return count
    return math.ceil(count * days_in_case / days_in_month)


def reference_day(facts: CaseMonthFacts) -> dt.date:
    """The day whose facts set the month's case type: the 1st, or the day the case opened."""
    return max(month_start(facts.month), facts.opened_on)


# --- Case type ------------------------------------------------------------------------


def child_case_type(child: Person) -> str | None:
    """The rule that applies to one child this month; None when it cannot be told."""
    if child.legal_status == PERMANENT_CARE:
        if child.with_permanent_guardian:
            return PERMANENT
        # Living elsewhere than with the permanent guardian: seen monthly, like a child in care.
        return REUNIFICATION if child.in_care and child.goal == REUNIFICATION_GOAL else IN_CARE
    if child.legal_status == LTG_SUITABLE_PERSON:
        return LTG_SUITABLE
    if child.in_care:
        return REUNIFICATION if child.goal == REUNIFICATION_GOAL else IN_CARE
    if child.legal_status in IN_HOME_STATUSES:
        return IN_HOME
    if child.legal_status:  # an order that normally means care, but the child lives at home
        return IN_HOME
    return None


def family_case_type(types: Iterable[str | None]) -> str | None:
    types = set(types) - {None}
    for case_type in (REUNIFICATION, IN_HOME, IN_CARE, LTG_SUITABLE, PERMANENT):
        if case_type in types:
            return case_type
    return None


# --- Counting -------------------------------------------------------------------------


def _provider_involved(facts: CaseMonthFacts, provider_id: int | None, on: dt.date) -> bool:
    return any(pid == provider_id and start <= on and (end is None or on <= end)
               for pid, start, end in facts.involved_providers)


def _counts_as_f2f(facts: CaseMonthFacts, contact: Contact) -> bool:
    if contact.kind != FACE_TO_FACE:
        return False
    if contact.maker == PROVIDER:
        return _provider_involved(facts, contact.provider_id, contact.on)
    return True


def _at_residence_of(contact: Contact, person_ids: set[int]) -> bool:
    return contact.location == PARENT_RESIDENCE and contact.location_person_id in person_ids


def _in_child_environment(contact: Contact, child: Person) -> bool:
    if contact.location == CHILD_LIVING_ENVIRONMENT:
        return True
    # A child living at home: the household's residence is their living environment.
    return (not child.in_care and contact.location == PARENT_RESIDENCE
            and contact.location_person_id == child.lives_with_person_id)


class _Builder:
    """Collects lines for one case-month, applying prorating and adjustments."""

    def __init__(self, facts: CaseMonthFacts, adjustment: Adjustment | None, start: dt.date, end: dt.date):
        self.facts = facts
        self.adjustment = adjustment
        self.start, self.end = start, end
        self.days_in_month = self.end.day
        self.lines: list[Line] = []
        self._days: dict[int | None, int] = {}

    def days_in_case(self, person: Person | None) -> int:
        key = person.member_id if person else None
        if key not in self._days:
            first, last = self.facts.opened_on, self.facts.closed_on
            if person is not None:
                first = max(first, person.joined_on)
                last = min(last or dt.date.max, person.left_on or dt.date.max)
            self._days[key] = _overlap(first, last if last != dt.date.max else None, self.start, self.end)
        return self._days[key]

    def add(self, code: str, description: str, person: Person | None, standard: int,
            contacts: list[Contact], due_on: dt.date | None = None, prorated: bool = True,
            considered: list[Contact] = (), why_not: str = "") -> None:
        """A line counting ``contacts``; those of ``considered`` it does not count are listed
        on it with ``why_not``."""
        role = person.role if person else "case"
        count, before = standard, None
        if self.adjustment is not None:
            key = _adjustment_key(code, role)
            if key in self.adjustment.counts:
                adjusted = self.adjustment.counts[key]
                if self.adjustment.kind == "override" or adjusted > standard:
                    count, before = adjusted, standard
        days = self.days_in_case(person)
        if days <= 0:
            return
        if prorated:
            count = prorate(count, days, self.days_in_month)
            if before is not None:
                before = prorate(before, days, self.days_in_month)
        counted = [c.contact_id for c in contacts]
        counted.sort()
        # Positional, in Line's field order: this runs for every line of every case nightly.
        missed = tuple((c.contact_id, why_not) for c in considered if c.contact_id not in set(counted)) \
            if considered else ()
        self.lines.append(Line(code, description, person.member_id if person else None, person.name if person else "",
                               role, count, len(counted), tuple(counted), due_on, before, missed))


_DATE_ORDER = itemgetter(1, 0)  # (on, contact_id) of a Contact


def _present(person: Person, contacts: Iterable[Contact]) -> list[Contact]:
    return [c for c in contacts if person.member_id in c.participants]


def _in_case_on(person: Person, day: dt.date) -> bool:
    return person.joined_on <= day and (person.left_on is None or day <= person.left_on)


def evaluate(facts: CaseMonthFacts) -> Evaluation:
    """Apply the standard to one case for one month."""
    start, end = month_start(facts.month), month_end(facts.month)
    contacts = tuple(sorted((c for c in facts.contacts if start <= c.on <= end), key=_DATE_ORDER))
    if facts.month != start or contacts != facts.contacts:  # callers usually pass exactly the month's contacts
        facts = facts._replace(month=start, contacts=contacts)
    in_month = [p for p in facts.people if _overlap(p.joined_on, p.left_on, start, end) > 0]
    children = [p for p in in_month if p.role == "child"]
    parents = [p for p in in_month if p.role == "parent"]
    by_member = {p.member_id: p for p in facts.people}
    adjustment = next((a for a in facts.adjustments if a.kind == "override"), None) or next(
        (a for a in facts.adjustments if a.kind == "increase"), None)
    notes: list[str] = []

    child_types = {c.member_id: child_case_type(c) for c in children}
    for child in children:
        if child_types[child.member_id] is None:
            notes.append(f"{child.name}: no legal status in force on {day_label(reference_day(facts))}.")
    case_type = family_case_type(child_types.values())

    def result(lines=(), reason="", counted_ids=frozenset()):
        separate, separate_notes = _carer_lines(facts, start, end)
        counted_ids = counted_ids | {cid for line in separate for cid in line.counted}
        return Evaluation(
            case_id=facts.case_id, month=facts.month, case_type=case_type, risk_level=facts.risk_level,
            lines=tuple(lines), not_counted=_why_not_counted(facts, counted_ids, by_member),
            not_assessable_reason=reason, adjustment=adjustment if lines else None,
            notes=tuple(notes) + separate_notes, separate_lines=separate,
        )

    if _overlap(facts.opened_on, facts.closed_on, start, end) == 0:
        return result(reason="The case was not open during this month.")
    if case_type is None:
        return result(reason="Legal status missing: no child has a legal status in force.")
    needs_risk = case_type in (IN_HOME, REUNIFICATION)
    if needs_risk and facts.risk_level not in TABLE_1_IN_HOME:
        return result(reason="Risk level missing: no family risk evaluation, re-evaluation or reunification "
                             "assessment completed in time for this month.")

    builder = _Builder(facts, adjustment, start, end)
    f2f = [c for c in contacts if _counts_as_f2f(facts, c)]
    by_caseworker = [c for c in f2f if c.maker == CASEWORKER]

    if case_type == IN_HOME:
        row = TABLE_1_IN_HOME[facts.risk_level]
        household_children = [c for c in children if child_types[c.member_id] == IN_HOME]
        for person in household_children + parents:
            seen = _present(person, f2f)
            if person.role == "parent":
                residences = {person.person_id}
            elif person.lives_with_person_id:
                residences = {person.lives_with_person_id}
            else:
                residences = {p.person_id for p in parents}
            builder.add(F2F, f"Face-to-face with {person.name}", person, row.f2f_each, seen)
            builder.add(F2F_AT_RESIDENCE, f"Face-to-face with {person.name} at the parent's residence", person,
                        row.at_parents_residence, [c for c in seen if _at_residence_of(c, residences)],
                        considered=seen, why_not=f"Not at {person.name}'s residence." if person.role == "parent"
                        else f"Not at the home of the parent {person.name} lives with.")
            builder.add(F2F_BY_CASEWORKER, f"Face-to-face with {person.name} by the caseworker", person,
                        row.by_caseworker, [c for c in seen if c.maker == CASEWORKER],
                        considered=seen, why_not="Made by someone other than the caseworker.")
        _add_support(builder, row.support, contacts, by_member)
    elif case_type == REUNIFICATION:
        row = TABLE_2_REUNIFICATION[facts.risk_level]
        family_children = [c for c in children if child_types[c.member_id] in (REUNIFICATION, IN_HOME)]
        for parent in parents:
            builder.add(F2F, f"Face-to-face with {parent.name}", parent, row.f2f_each_parent, _present(parent, f2f))
        for child in family_children:
            builder.add(F2F, f"Face-to-face with {child.name}", child, row.f2f_each_child, _present(child, f2f))
        for child in family_children:
            builder.add(CASEWORKER_IN_CHILD_ENVIRONMENT,
                        f"Caseworker face-to-face with {child.name} in the child's living environment", child,
                        REUNIFICATION_CASEWORKER_WITH_CHILD_IN_ENVIRONMENT,
                        [c for c in _present(child, by_caseworker) if _in_child_environment(c, child)],
                        considered=_present(child, f2f),
                        why_not=f"Not by the caseworker in {child.name}'s living environment.")
        for parent in parents:
            builder.add(CASEWORKER_AT_PARENT_RESIDENCE,
                        f"Caseworker face-to-face with {parent.name} at their residence", parent,
                        REUNIFICATION_CASEWORKER_WITH_PARENT_AT_RESIDENCE,
                        [c for c in _present(parent, by_caseworker) if _at_residence_of(c, {parent.person_id})],
                        considered=_present(parent, f2f),
                        why_not=f"Not by the caseworker at {parent.name}'s residence.")
        _add_support(builder, row.support, contacts, by_member)

    for child in children:
        child_type = child_types[child.member_id]
        if child_type == IN_CARE:
            staff_seen = [c for c in _present(child, f2f) if c.maker != PROVIDER]
            builder.add(F2F_CHILD_IN_CARE, f"Face-to-face with {child.name} by Child Safety staff",
                        child, IN_CARE_F2F_PER_MONTH, staff_seen)
        elif child_type == LTG_SUITABLE:
            not_due = _add_guardian_line(builder, facts, child, f2f, by_member)
            if not_due:
                notes.append(f"{child.name}: long-term guardianship — the visit with the child and the guardian "
                             f"is next due {day_label(not_due)}; no requirement this month.")
        elif child_type == PERMANENT:
            notes.append(f"{child.name}: permanent care order, living with their permanent guardian — "
                         f"no contact requirement.")
        if child.legal_status == PERMANENT_CARE and child_type != PERMANENT:
            notes.append(f"{child.name}: permanent care order, not living with their permanent guardian — "
                         f"seen monthly, like a child in care.")

    counted = frozenset(cid for line in builder.lines for cid in line.counted)
    return result(builder.lines, counted_ids=counted)


def _carer_lines(facts: CaseMonthFacts, start: dt.date, end: dt.date) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """The month's "visit the carer" lines (care.rules), while the case is open."""
    if not facts.carer_placements or _overlap(facts.opened_on, facts.closed_on, start, end) == 0:
        return (), ()
    due, not_due = care_rules.carer_visit_lines(facts.carer_placements, start, facts.carer_visit_months)
    lines = tuple(Line(care_rules.CARER_VISIT, d.description, d.member_id, d.child_name, "carer", d.required,
                       len(d.counted), d.counted, d.due_on) for d in due)
    return lines, tuple(care_rules.not_due_note(n) for n in not_due)


def _add_support(builder: _Builder, standard: int, contacts: Iterable[Contact], by_member: dict[int, Person]):
    family = {m for m, p in by_member.items() if p.role in ("child", "parent")}
    support = [c for c in contacts if c.kind == SUPPORT and c.maker != PROVIDER and not (c.participants & family)]
    builder.add(SUPPORT_CONTACTS, "Support contacts", None, standard, support)


def _add_guardian_line(builder: _Builder, facts: CaseMonthFacts, child: Person, f2f: list[Contact],
                       by_member: dict[int, Person]) -> dt.date | None:
    """One F2F with the child and the long-term guardian in every 12-month period: due
    12 months after the last such contact (or after the order started). A month before
    that has no line (no requirement, not "met"): answers the due date then."""
    guardian_members = {m for m, p in by_member.items()
                        if child.lives_with_person_id is not None and p.person_id == child.lives_with_person_id}
    together = [c for c in _present(child, f2f) if c.participants & guardian_members]
    since = facts.last_guardian_contact.get(child.member_id) or child.order_started_on or child.joined_on
    due_on = add_months(since, LTG_SUITABLE_PERSON_PERIOD_MONTHS)
    if due_on > month_end(facts.month):
        return due_on
    builder.add(F2F_WITH_GUARDIAN, f"Face-to-face with {child.name} and the guardian (every 12 months)", child,
                1, together, due_on=due_on, prorated=False)
    return None


def _why_not_counted(facts: CaseMonthFacts, counted: frozenset[int], by_member: dict[int, Person]):
    reasons = []
    family = {m for m, p in by_member.items() if p.role in ("child", "parent")}
    for contact in facts.contacts:
        if contact.contact_id in counted:
            continue
        why = []
        if contact.kind == NOTE:
            why.append("A case note, not a contact.")
        elif contact.kind == OTHER:
            why.append("Telephone, video and attempted visits do not count as face-to-face contact.")
        elif contact.kind == FACE_TO_FACE:
            if contact.maker == PROVIDER and not _provider_involved(facts, contact.provider_id, contact.on):
                why.append("The service provider was not involved in implementing the case plan on that date.")
            elif not contact.participants:
                why.append("No member of the case took part.")
            else:
                why.append("No requirement line this month needs face-to-face contact with those present.")
        elif contact.kind == SUPPORT:
            if contact.maker == PROVIDER:
                why.append("Support contacts are made by Child Safety staff.")
            elif contact.participants & family:
                why.append("A support contact is with someone other than the case's parents and children.")
            else:
                why.append("No support contacts are required this month.")
        reasons.append((contact.contact_id, tuple(why)))
    return tuple(reasons)


def overall_status(evaluation: Evaluation, today: dt.date) -> str:
    """For lists: met, on track (month not over yet), short, or not assessable."""
    status = evaluation.status
    if status == SHORT and today <= month_end(evaluation.month):
        return "on_track"
    return status


def risk_level_for_month(assessments: Iterable[tuple[dt.date, str]], month: dt.date, opened_on: dt.date) -> str | None:
    """The month's risk level from (completed_on, level) of family risk evaluations,
    re-evaluations and reunification assessments: the latest completed on or before the
    1st; in the month the case opens, its first such assessment. A new assessment takes
    effect from the next month."""
    month = month_start(month)
    ordered = sorted(assessments)
    if month_start(opened_on) == month:
        in_time = [a for a in ordered if a[0] <= month_end(month)]
        return in_time[0][1] if in_time else None
    before = [a for a in ordered if a[0] <= month]
    return before[-1][1] if before else None


# --- Early warning ----------------------------------------------------------------------

# A face-to-face visit needs about this many days of the month to arrange comfortably.
COMFORTABLE_DAYS_PER_VISIT = 3


def still_needed_visits(evaluation: Evaluation) -> int:
    """The most face-to-face visits any one person still needs this month."""
    return max((line.short_by for line in evaluation.lines if line.code != SUPPORT_CONTACTS), default=0)


def at_risk(evaluation: Evaluation, today: dt.date, visit_planned: bool,
            days_per_visit: int = COMFORTABLE_DAYS_PER_VISIT, *, visit_missed: bool = False) -> bool:
    """Whether what is still needed cannot fit comfortably in the days left of the month:
    e.g. 3 visits still needed with 5 days left, or visits needed and none planned, or a
    visit planned this month that passed without a contact (missed) while still short."""
    if evaluation.status != SHORT or not (month_start(today) == evaluation.month):
        return False
    if visit_missed:
        return True
    days_left = (month_end(today) - today).days + 1
    visits = still_needed_visits(evaluation)
    support = sum(line.short_by for line in evaluation.lines if line.code == SUPPORT_CONTACTS)
    if visits and not visit_planned:
        return True
    return visits * days_per_visit > days_left or support > days_left
