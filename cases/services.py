"""Writes to case records. Every function is keyword-only, atomic, and raises
:class:`CaseworkError` with a message fit to show a user."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import (
    Allocation,
    Case,
    CaseMember,
    CaseReferenceCounter,
    Person,
    Phase,
    Role,
    Team,
)
from cases.permissions import Action, led_team_ids, require, visible_cases


class CaseworkError(Exception):
    """A rule of the domain was broken; ``str(error)`` is the message for the user."""


def case_references_allocate(*, year: int, count: int = 1) -> list[str]:
    """Issue ``count`` new sequential reference numbers for ``year``, e.g. QLD-2026-000123.

    The counter row is locked, so concurrent requests never receive the same number."""
    prefix = settings.CASE_REFERENCE_PREFIX
    with transaction.atomic():
        CaseReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
        counter = CaseReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
        first = counter.last_number + 1
        counter.last_number += count
        counter.save(update_fields=["last_number"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise CaseworkError("; ".join(error.messages)) from error


@transaction.atomic
def case_create(*, user, team: Team, caseworker, opened_on: dt.date, substantiated_on: dt.date | None = None,
                phase: str = Phase.CASE_PLANNING) -> Case:
    from cases.permissions import teams_for_new_cases

    if not teams_for_new_cases(user).filter(pk=team.pk).exists():
        raise CaseworkError("You may only open cases in your own team.")
    if caseworker.role != Role.CASEWORKER or caseworker.team_id != team.pk:
        raise CaseworkError("The allocated caseworker must be a caseworker of the case's team.")
    case = Case(team=team, caseworker=caseworker, opened_on=opened_on, substantiated_on=substantiated_on, phase=phase)
    _full_clean_except_reference(case)
    case.reference = case_references_allocate(year=opened_on.year)[0]
    case.save()
    Allocation.objects.create(case=case, caseworker=caseworker, team=team, started_on=opened_on,
                              reason="Case opened", allocated_by=user)
    if not visible_cases(user, Case.objects.filter(pk=case.pk)).exists():
        raise CaseworkError("The case would not be visible to you after saving.")
    return case


def _full_clean_except_reference(case: Case) -> None:
    try:
        case.full_clean(exclude=["reference"])
    except ValidationError as error:
        raise CaseworkError("; ".join(error.messages)) from error


@transaction.atomic
def case_update(*, user, case: Case, **fields) -> Case:
    require(user, Action.EDIT, case)
    for name, value in fields.items():
        setattr(case, name, value)
    _full_clean(case)
    case.save()
    return case


@transaction.atomic
def case_reallocate(*, user, case: Case, caseworker, team: Team | None = None, reason: str,
                    on: dt.date | None = None) -> Case:
    """Transfer case responsibility to another caseworker (and team), keeping the history."""
    require(user, Action.ALLOCATE, case)
    team = team or case.team
    on = on or timezone.localdate()
    if team.pk != case.team_id and team.pk not in led_team_ids(user):
        raise CaseworkError("You may only transfer a case to a team you lead.")
    if caseworker.role != Role.CASEWORKER or caseworker.team_id != team.pk:
        raise CaseworkError("The new caseworker must be a caseworker of the receiving team.")
    if caseworker.pk == case.caseworker_id and team.pk == case.team_id:
        raise CaseworkError("The case is already allocated to this caseworker.")
    if not reason.strip():
        raise CaseworkError("Give a reason for the reallocation.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    Allocation.objects.filter(case=case, ended_on__isnull=True).update(ended_on=on)
    Allocation.objects.create(case=case, caseworker=caseworker, team=team, started_on=on, reason=reason,
                              allocated_by=user)
    case.caseworker = caseworker
    case.team = team
    case.save(update_fields=["caseworker", "team"])
    return case


@transaction.atomic
def person_save(*, user, person: Person, case: Case | None = None) -> Person:
    """Create or update a person. A new person must be added to a case the user may edit."""
    if case is not None:
        require(user, Action.EDIT, case)
    elif person.pk is None:
        raise CaseworkError("A new person must be added to a case.")
    else:
        editable = visible_cases(user).filter(members__person=person, closed_on__isnull=True)
        if user.role == Role.MANAGER or not editable.exists():
            raise CaseworkError("You may not change this person's details.")
    _full_clean(person)
    person.save()
    return person


@transaction.atomic
def member_add(*, user, case: Case, person: Person, role: str, relationship: str = "",
               joined_on: dt.date) -> CaseMember:
    require(user, Action.EDIT, case)
    if person.pk is None:
        _full_clean(person)
        person.save()
    if CaseMember.objects.filter(case=case, person=person).exists():
        raise CaseworkError(f"{person} is already a member of this case.")
    if joined_on < case.opened_on:
        raise CaseworkError("A person cannot join the case before it opened.")
    member = CaseMember(case=case, person=person, role=role, relationship=relationship, joined_on=joined_on)
    _full_clean(member)
    member.save()
    return member


@transaction.atomic
def member_update(*, user, member: CaseMember, **fields) -> CaseMember:
    require(user, Action.EDIT, member.case)
    for name, value in fields.items():
        setattr(member, name, value)
    _full_clean(member)
    member.save()
    return member


@transaction.atomic
def child_fact_record(*, user, fact):
    """Save a legal status, case plan goal or living arrangement for a child of a case.

    The child's earlier rows are locked first, so two simultaneous saves cannot both
    pass the overlap check."""
    case = fact.member.case
    require(user, Action.EDIT, case)
    list(type(fact).objects.select_for_update().filter(member_id=fact.member_id))
    if fact.recorded_by_id is None:
        fact.recorded_by = user
    if fact.effective_from and fact.effective_from < fact.member.joined_on:
        raise CaseworkError("The start date is before the child joined the case.")
    if getattr(fact, "with_person_id", None):
        if not CaseMember.objects.filter(case=case, person_id=fact.with_person_id).exists():
            raise CaseworkError("The person the child lives with must belong to the case.")
    _full_clean(fact)
    fact.save()
    return fact


@transaction.atomic
def risk_assessment_record(*, user, assessment):
    require(user, Action.EDIT, assessment.case)
    if assessment.approved_by_id and assessment.approved_by.role != Role.TEAM_LEADER:
        raise CaseworkError("A risk assessment is approved by a team leader.")
    _full_clean(assessment)
    assessment.save()
    return assessment
