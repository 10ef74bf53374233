"""Writes of children in care. Keyword-only, atomic; one domain error (``CaseworkError``) with a
message fit to show. A placement and its in-care living arrangement are written together here
(see care/models.py): there is no other way to record a placement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_raise
from care.models import (
    PLACEABLE,
    AgreementCheck,
    AgreementItem,
    CarerHousehold,
    CarerVisit,
    CheckStatus,
    HouseholdMember,
    Placement,
    PlacementAgreement,
    Responsible,
)
from cases.errors import CaseworkError
from cases.extensions import facts_changed
from cases.models import CaseMember, LivingArrangement, LivingKind, MemberRole, Role, User
from cases.permissions import Action, record_in_case, require
from cases.services import child_fact_record
from casework.dates import day_label
from contacts.facts import local_date
from contacts.models import ContactKind, ContactMode, Location
from contacts.services import ContactInput, contact_record

HOUSEHOLD_MANAGERS = {Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR}


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise CaseworkError("; ".join(error.messages)) from error


def _save(instance, user, **kwargs):
    instance._history_user = user
    instance.save(**kwargs)
    return instance


# --- The one story: a living arrangement with a placement stays in care ----------------------


def placement_kept_in_care(fact) -> None:
    """Registered with ``cases.extensions.fact_check``: a living arrangement that carries a
    placement cannot become another kind (the placement history would then say "in care" where
    the living arrangements do not). End it, or record the new arrangement from a later date."""
    if not isinstance(fact, LivingArrangement) or fact.pk is None or fact.kind == LivingKind.IN_CARE:
        return
    if Placement.objects.filter(living_arrangement_id=fact.pk).exists():
        raise CaseworkError("This living arrangement is a placement with a carer household: it stays "
                            "'in care'. Record where the child lives next from a later date instead.")


# --- Carer households -------------------------------------------------------------------------


def may_manage_households(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in HOUSEHOLD_MANAGERS)


@transaction.atomic
def household_save(*, user, household: CarerHousehold) -> CarerHousehold:
    """Add or change a carer household (team leaders, managers and administrators)."""
    if not may_manage_households(user):
        raise CaseworkError("Only team leaders, managers and administrators keep the carer households.")
    _full_clean(household)
    return _save(household, user)


@transaction.atomic
def household_member_add(*, user, household: CarerHousehold, member: HouseholdMember) -> HouseholdMember:
    if not may_manage_households(user):
        raise CaseworkError("Only team leaders, managers and administrators keep the carer households.")
    member.household = household
    _full_clean(member)
    return _save(member, user)


# --- Placements -------------------------------------------------------------------------------


@transaction.atomic
def placement_record(*, user, child: CaseMember, household: CarerHousehold, placement_type: str,
                     start: dt.date, reason_for_change: str, approved_by: User) -> Placement:
    """Place ``child`` with ``household`` from ``start``: writes the in-care living arrangement
    (ending the child's current one the day before) and its placement, together."""
    case = require(user, Action.EDIT, child.case)
    if child.role != MemberRole.CHILD:
        raise CaseworkError("Only a child of the case is placed.")
    if start > timezone.localdate():
        raise CaseworkError("A placement is recorded from the day it started, not in advance.")
    if household.approval_status not in PLACEABLE:
        raise CaseworkError(f"{household} is not approved to care for children "
                            f"({household.get_approval_status_display().lower()}).")
    if household.approved_on and household.approved_on > start:
        raise CaseworkError(f"{household} was approved on {day_label(household.approved_on)}, after the start date.")
    if household.approval_ends_on and household.approval_ends_on < start:
        raise CaseworkError(f"The approval of {household} ended on {day_label(household.approval_ends_on)}.")
    if not reason_for_change.strip():
        raise CaseworkError("Give the reason for the placement or for the change of placement.")
    if record_in_case(user, case, "leader", getattr(approved_by, "pk", None)) is None:
        raise CaseworkError("The placement is approved by a team leader of the case's team.")
    arrangement = LivingArrangement(member=child, kind=LivingKind.IN_CARE, effective_from=start,
                                    placement=household.name[:120], details=f"Placement ({household.get_kind_display()})")
    child_fact_record(user=user, fact=arrangement, end_current=True)
    placement = Placement(living_arrangement=arrangement, household=household, placement_type=placement_type,
                          reason_for_change=reason_for_change.strip(), approved_by=approved_by, recorded_by=user)
    _full_clean(placement, exclude=["living_arrangement"])
    return _save(placement, user)


@transaction.atomic
def placement_end(*, user, placement: Placement, ended_on: dt.date) -> Placement:
    """End a placement (the child left care): its living arrangement ends that day."""
    arrangement = LivingArrangement.objects.select_related("member__case").get(pk=placement.living_arrangement_id)
    require(user, Action.EDIT, arrangement.member.case)
    if arrangement.effective_to is not None:
        raise CaseworkError("This placement has already ended.")
    if ended_on < arrangement.effective_from:
        raise CaseworkError("A placement cannot end before it started.")
    if ended_on > timezone.localdate():
        raise CaseworkError("A placement is ended on the day it ended, not in advance.")
    arrangement.effective_to = ended_on
    child_fact_record(user=user, fact=arrangement, lock_version=arrangement.lock_version)
    return placement


# --- Placement agreements ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    responsible: str
    what: str


@transaction.atomic
def agreement_save(*, user, placement: Placement, items: list[ItemInput], supports_to_carer: str,
                   review_on: dt.date) -> PlacementAgreement:
    """A new version of the placement's agreement (the earlier versions stay as they were)."""
    require(user, Action.EDIT, placement.case)
    items = [ItemInput(i.responsible, i.what.strip()) for i in items if i.what.strip()]
    if not items:
        raise CaseworkError("An agreement names at least one activity or responsibility.")
    if any(i.responsible not in Responsible.values for i in items):
        raise CaseworkError("Each item says who: the carer, Child Safety or the parents.")
    if review_on < placement.start:
        raise CaseworkError("The review date cannot be before the placement started.")
    list(PlacementAgreement.objects.select_for_update().filter(placement=placement))
    latest = placement.agreements.order_by("-version").values_list("version", flat=True).first() or 0
    agreement = _save(PlacementAgreement(placement=placement, version=latest + 1,
                                         supports_to_carer=supports_to_carer.strip(), review_on=review_on,
                                         created_by=user), user)
    AgreementItem.objects.bulk_create([AgreementItem(agreement=agreement, responsible=i.responsible, what=i.what[:300],
                                                     order=n) for n, i in enumerate(items)])
    return agreement


def current_agreement(placement: Placement) -> PlacementAgreement | None:
    return placement.agreements.order_by("-version").first()


# --- Carer visits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CarerVisitInput:
    occurred_at: dt.datetime
    child_seen: bool
    carer_names: str
    support_given: str
    duration_minutes: int | None = None
    observations: str = ""
    conflict_with_parents: bool = False
    transport: bool = False
    finance: bool = False
    other_issue: str = ""
    issues_note: str = ""
    next_visit_on: dt.date | None = None
    checks: dict | None = None  # agreement item id → (status, note)


def _leaders_and_caseworker(case) -> list[User]:
    return [case.caseworker, *User.objects.filter(role=Role.TEAM_LEADER, led_teams=case.team_id, is_active=True)]


@transaction.atomic
def carer_visit_record(*, user, placement: Placement, data: CarerVisitInput) -> CarerVisit:
    """Record a visit to the carer of ``placement``: the contact itself (contacts.services), the
    support given, the issues in the care environment and the check of every item of the current
    placement agreement. A concern raises an alert to the caseworker and the team leaders."""
    case = require(user, Action.EDIT, placement.case)
    if not data.support_given.strip():
        raise CaseworkError("Record the support given to the carer.")
    if not data.child_seen and not data.carer_names.strip():
        raise CaseworkError("Name the carer you met.")
    day = local_date(data.occurred_at)
    if day < placement.start or (placement.end is not None and day > placement.end):
        raise CaseworkError("The visit falls outside the placement's dates.")
    agreement = current_agreement(placement)
    items = list(agreement.items.all()) if agreement else []
    checks = data.checks or {}
    unknown = set(checks) - {item.pk for item in items}
    if unknown:
        raise CaseworkError("An agreement item checked is not of this placement's current agreement.")
    missing = [item for item in items if item.pk not in checks]
    if missing:
        raise CaseworkError(f"Go through every item of the placement agreement: {missing[0].what!r} is not checked.")
    for item in items:
        status, note = checks[item.pk]
        if status not in CheckStatus.values:
            raise CaseworkError(f"{item.what!r}: choose on track, concern or not applicable.")
        if status == CheckStatus.CONCERN and not note.strip():
            raise CaseworkError(f"{item.what!r}: say what the concern is.")
    child = placement.member
    contact = contact_record(user=user, case=case, data=ContactInput(
        occurred_at=data.occurred_at, kind=ContactKind.FACE_TO_FACE if data.child_seen else ContactKind.SUPPORT,
        mode=ContactMode.IN_PERSON, duration_minutes=data.duration_minutes, made_by=user,
        other_party_name=data.carer_names.strip()[:120], other_party_organisation=f"Carer, {placement.household}"[:120],
        location=Location.CHILD_LIVING_ENVIRONMENT, location_details=str(placement.household)[:160],
        purpose="Carer visit: support the carer and check the placement agreement",
        observations=data.observations, next_visit_on=data.next_visit_on,
        participants=[child] if data.child_seen else []))
    visit = _save(CarerVisit(contact=contact, placement=placement, agreement=agreement,
                             support_given=data.support_given.strip(), conflict_with_parents=data.conflict_with_parents,
                             transport=data.transport, finance=data.finance, other_issue=data.other_issue.strip()[:300],
                             issues_note=data.issues_note.strip(), recorded_by=user), user)
    AgreementCheck.objects.bulk_create([AgreementCheck(visit=visit, item=item, status=checks[item.pk][0],
                                                       note=checks[item.pk][1].strip()[:500]) for item in items])
    concerns = [item for item in items if checks[item.pk][0] == CheckStatus.CONCERN]
    if concerns:
        alert_raise(key=f"carer-visit-concern:{visit.pk}", kind=AlertKind.OTHER,
                    title=f"{case.reference}: placement agreement concern at a carer visit "
                          f"({len(concerns)} item{'s' if len(concerns) != 1 else ''})",
                    recipients=_leaders_and_caseworker(case), case=case,
                    link=reverse("care:placement_detail", args=[case.reference, placement.pk]), due_on=day)
    # The carer line reads carer visits: the month of this one is evaluated again.
    facts_changed(case_id=case.pk, since=day, by=user)
    return visit
