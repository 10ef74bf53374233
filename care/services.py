"""Writes of children in care. Keyword-only, atomic; one domain error (``CaseworkError``) with a
message fit to show. A placement and its in-care living arrangement are written together here
(see care/models.py): there is no other way to record a placement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertStatus
from alerts.services import AlertSpec, alert_raise, alert_resolve, alerts_raise_many
from care import rules, selectors
from care.models import (
    PLACEABLE,
    AgreementCheck,
    AgreementItem,
    CarerHousehold,
    CarerVisit,
    CheckStatus,
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeReview,
    FamilyTimeSession,
    FamilyTimeStage,
    HouseholdMember,
    Placement,
    PlacementAgreement,
    ProgressionStatus,
    Responsible,
    StageStatus,
    Supervision,
)
from cases.errors import CaseworkError
from cases.extensions import facts_changed
from cases.models import CaseMember, CasePlanGoal, ChildGoal, LivingArrangement, LivingKind, MemberRole, Role, User
from cases.permissions import Action, can, record_in_case, require
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


ARRANGEMENT_FIELDS = ("others", "sessions", "period", "duration_minutes", "location", "supervision", "supervisor",
                      "transport", "started_on", "review_on")
STAGE_SETS = ("sessions", "period", "duration_minutes", "supervision")


def in_care_since(member: CaseMember, on: dt.date) -> dt.date | None:
    """Since when the child's living arrangement in force on ``on`` has been "in care" (None: not in care)."""
    arrangement = LivingArrangement.objects.on(on).filter(member=member, kind=LivingKind.IN_CARE).first()
    return arrangement.effective_from if arrangement else None


def goal_is_reunification(member: CaseMember, on: dt.date) -> bool:
    return ChildGoal.objects.on(on).filter(member=member, goal=CasePlanGoal.REUNIFICATION).exists()


def _recipients(case) -> list:
    """The case's caseworker and its team's leaders: who hears about its family time."""
    return [case.caseworker, *User.objects.filter(led_teams=case.team_id, is_active=True)]


def _stamp(obj, user):
    obj._history_user = user
    return obj


# --- The arrangement -------------------------------------------------------------------------


@transaction.atomic
def family_time_create(*, user, member: CaseMember, participants=(), **fields) -> FamilyTimeArrangement:
    """Record the family-time arrangement of a child in care."""
    case = require(user, Action.EDIT, member)
    unknown = set(fields) - set(ARRANGEMENT_FIELDS)
    if unknown:
        raise TypeError(f"family_time_create() got unexpected fields {sorted(unknown)}")
    today = timezone.localdate()
    if member.role != MemberRole.CHILD or member.left_on is not None:
        raise CaseworkError("Family time is arranged for a current child of the case.")
    if in_care_since(member, today) is None:
        raise CaseworkError(f"{member.person.given_name} is not in care: record the living arrangement first.")
    participants = list(participants)
    if not participants and not fields.get("others", "").strip():
        raise CaseworkError("Say with whom the child spends family time.")
    if any(p.case_id != case.pk or p.pk == member.pk for p in participants):
        raise CaseworkError("Family time is with other people of this case.")
    _check_supervision(fields.get("supervision"), fields.get("supervisor", ""))
    if fields["review_on"] <= fields["started_on"]:
        raise CaseworkError("The review date must be after the arrangement starts.")
    if FamilyTimeArrangement.objects.filter(member=member, ended_on__isnull=True).exists():
        raise CaseworkError("This child already has a family-time arrangement; change that one.")
    arrangement = _stamp(FamilyTimeArrangement(case=case, member=member, created_by=user,
                                               **{k: (v.strip() if isinstance(v, str) else v)
                                                  for k, v in fields.items()}), user)
    try:
        with transaction.atomic():
            arrangement.save()
    except IntegrityError as error:
        raise CaseworkError("This child already has a family-time arrangement; change that one.") from error
    arrangement.participants.set(participants)
    return arrangement


def _check_supervision(supervision, supervisor: str) -> None:
    if supervision == Supervision.SUPERVISED and not (supervisor or "").strip():
        raise CaseworkError("Say who supervises the family time.")


# --- The staged plan -------------------------------------------------------------------------


def _stage_facts(arrangement) -> list[rules.StageFacts]:
    return [rules.StageFacts(s.number, s.status, s.starts_on, s.review_on)
            for s in FamilyTimeStage.objects.filter(arrangement=arrangement)]


@transaction.atomic
def stage_add(*, user, arrangement: FamilyTimeArrangement, changes: str, starts_on: dt.date, review_on: dt.date,
              sessions: int | None = None, period: str = "", duration_minutes: int | None = None,
              supervision: str = "") -> FamilyTimeStage:
    """Add the next stage to the plan to review and increase family time (for a child whose goal
    is reunification)."""
    require(user, Action.EDIT, arrangement)
    FamilyTimeArrangement.objects.select_for_update().filter(pk=arrangement.pk).first()
    if arrangement.ended_on:
        raise CaseworkError("This arrangement has ended.")
    if not goal_is_reunification(arrangement.member, timezone.localdate()):
        raise CaseworkError("A staged plan to increase family time is for a child whose goal is reunification.")
    if not changes.strip():
        raise CaseworkError("Say what changes at this stage.")
    stages = _stage_facts(arrangement)
    last = max(stages, key=lambda s: s.number, default=None)
    problem = rules.stage_problem(starts_on=starts_on, review_on=review_on,
                                  previous_starts_on=last.starts_on if last else arrangement.started_on)
    if problem:
        raise CaseworkError(problem)
    stage = FamilyTimeStage(arrangement=arrangement, number=(last.number if last else 0) + 1,
                            changes=changes.strip(), starts_on=starts_on, review_on=review_on, sessions=sessions,
                            period=period, duration_minutes=duration_minutes, supervision=supervision)
    _stamp(stage, user).save()
    return stage


def progression_alert_key(progression) -> str:
    return f"family-time-progression:{progression.pk}"


@transaction.atomic
def progression_request(*, user, arrangement: FamilyTimeArrangement, rationale: str) -> FamilyTimeProgression:
    """Ask a team leader to move the plan to its next stage, with the rationale."""
    case = require(user, Action.EDIT, arrangement)
    FamilyTimeArrangement.objects.select_for_update().filter(pk=arrangement.pk).first()
    if not rationale.strip():
        raise CaseworkError("Give the rationale for moving to the next stage.")
    stages = _stage_facts(arrangement)
    target = rules.next_stage(stages)
    pending = FamilyTimeProgression.objects.filter(arrangement=arrangement, status=ProgressionStatus.PENDING).exists()
    problem = rules.progression_problem(stages=stages, to_number=target.number if target else 0, pending=pending,
                                        today=timezone.localdate())
    if problem:
        raise CaseworkError(problem)
    progression = _stamp(FamilyTimeProgression(arrangement=arrangement,
                                               stage=FamilyTimeStage.objects.get(arrangement=arrangement,
                                                                                 number=target.number),
                                               rationale=rationale.strip(), requested_by=user), user)
    progression.save()
    leaders = [u for u in _recipients(case)[1:] if u.pk != user.pk]
    alert_raise(key=progression_alert_key(progression), kind=AlertKind.APPROVAL_PENDING, case=case,
                title=f"{case.reference}: family time to move to stage {target.number}, awaiting approval",
                link=arrangement.get_absolute_url(), recipients=leaders)
    return progression


@transaction.atomic
def progression_decide(*, user, progression: FamilyTimeProgression, approve: bool,
                       comment: str = "") -> FamilyTimeProgression:
    """A team leader of the case's team (not the requester) approves or rejects a move to the next
    stage. Approving makes the stage current (the one before it completed) and the arrangement
    takes what the stage sets; the next review is the stage's."""
    arrangement = progression.arrangement
    case = require(user, Action.VIEW, arrangement)
    problem = rules.decide_problem(requested_by_id=progression.requested_by_id, user_id=user.pk,
                                   is_team_leader_of_case=can(user, Action.APPROVE, case), status=progression.status)
    if problem:
        raise CaseworkError(problem)
    if not approve and not comment.strip():
        raise CaseworkError("Say why the move is rejected.")
    status = ProgressionStatus.APPROVED if approve else ProgressionStatus.REJECTED
    won = FamilyTimeProgression.objects.filter(pk=progression.pk, status=ProgressionStatus.PENDING).update(
        status=status, decided_by=user, decided_at=timezone.now(), decision_comment=comment.strip())
    if not won:
        raise CaseworkError("This request has already been decided.")
    progression.refresh_from_db()
    _stamp(progression, user).save(update_fields=["status"])  # a history row of the decision
    alert_resolve(key=progression_alert_key(progression))
    if approve:
        stage = progression.stage
        for done in FamilyTimeStage.objects.filter(arrangement=arrangement, status=StageStatus.CURRENT):
            done.status = StageStatus.DONE
            _stamp(done, user).save(update_fields=["status"])
        stage.status = StageStatus.CURRENT
        _stamp(stage, user).save(update_fields=["status"])
        for name in STAGE_SETS:
            value = getattr(stage, name)
            if value not in (None, ""):
                setattr(arrangement, name, value)
        arrangement.review_on = stage.review_on
        _stamp(arrangement, user).save()
        _resolve_review_alerts(arrangement)
    return progression


# --- Sessions and reviews --------------------------------------------------------------------


def missed_alert_key(session) -> str:
    return f"family-time-missed:{session.pk}"


@transaction.atomic
def session_record(*, user, arrangement: FamilyTimeArrangement, on: dt.date, outcome: str, by_whom: str = "",
                   observations: str = "") -> FamilyTimeSession:
    """Record a session: held (with observations), missed or cancelled (and by whom). A missed
    session alerts the caseworker and the team leader."""
    case = require(user, Action.EDIT, arrangement)
    problem = rules.session_problem(outcome=outcome, on=on, today=timezone.localdate(), by_whom=by_whom,
                                    observations=observations, started_on=arrangement.started_on)
    if problem:
        raise CaseworkError(problem)
    session = _stamp(FamilyTimeSession(arrangement=arrangement, on=on, outcome=outcome,
                                       by_whom="" if outcome == rules.HELD else by_whom,
                                       observations=observations.strip(), recorded_by=user), user)
    session.save()
    if outcome == rules.MISSED:
        alert_raise(key=missed_alert_key(session), kind=AlertKind.FAMILY_TIME_MISSED, case=case,
                    title=f"{case.reference}: family time missed on {day_label(on)} "
                          f"({session.get_by_whom_display().lower()})",
                    link=arrangement.get_absolute_url(), recipients=_recipients(case), due_on=on)
    return session


def current_review_on(arrangement: FamilyTimeArrangement) -> dt.date | None:
    stage = FamilyTimeStage.objects.filter(arrangement=arrangement, status=StageStatus.CURRENT).first()
    return rules.review_due_on(stage_review_on=stage.review_on if stage else None,
                               arrangement_review_on=arrangement.review_on)


@transaction.atomic
def review_record(*, user, arrangement: FamilyTimeArrangement, reviewed_on: dt.date, outcome: str,
                  next_review_on: dt.date) -> FamilyTimeReview:
    """A review that keeps the arrangement at its stage and sets the next review date."""
    require(user, Action.EDIT, arrangement)
    if reviewed_on > timezone.localdate():
        raise CaseworkError("The review date cannot be in the future.")
    if not outcome.strip():
        raise CaseworkError("Say what the review found.")
    if next_review_on <= reviewed_on:
        raise CaseworkError("The next review must be after this one.")
    review = _stamp(FamilyTimeReview(arrangement=arrangement, reviewed_on=reviewed_on, outcome=outcome.strip(),
                                     next_review_on=next_review_on, recorded_by=user), user)
    review.save()
    stage = FamilyTimeStage.objects.filter(arrangement=arrangement, status=StageStatus.CURRENT).first()
    if stage is not None:
        stage.review_on = max(next_review_on, stage.starts_on + dt.timedelta(days=1))
        _stamp(stage, user).save(update_fields=["review_on"])
    arrangement.review_on = next_review_on
    _stamp(arrangement, user).save(update_fields=["review_on"])
    _resolve_review_alerts(arrangement)
    return review


def _resolve_review_alerts(arrangement) -> None:
    Alert.objects.filter(key__startswith=f"family-time-review:{arrangement.pk}:").exclude(
        status=AlertStatus.RESOLVED).update(status=AlertStatus.RESOLVED, resolved_at=timezone.now())


def family_time_reviews_check(*, today: dt.date | None = None) -> int:
    """Alert the caseworker and team leaders of every open arrangement (of an open case) whose
    review date has passed; resolve those no longer overdue. A fixed number of queries; returns
    how many alerts are new. Run daily (care.tasks.family_time_reviews_check)."""
    today = today or timezone.localdate()
    rows = selectors.overdue_reviews(today=today)
    leaders: dict[int, set[int]] = {}
    for team_id, user_id in User.objects.filter(led_teams__in={r["case__team_id"] for r in rows},
                                                is_active=True).values_list("led_teams", "pk"):
        leaders.setdefault(team_id, set()).add(user_id)
    specs = [AlertSpec(
        key=f"family-time-review:{row['pk']}:{row['due_on']:%Y-%m-%d}", kind=AlertKind.FAMILY_TIME_REVIEW,
        title=f"{row['case__reference']}: family time review overdue since {day_label(row['due_on'])}",
        recipient_ids=tuple(sorted({row["case__caseworker_id"], *leaders.get(row["case__team_id"], set())})),
        case_id=row["case_id"], link=f"/care/family-time/{row['pk']}/", due_on=row["due_on"]) for row in rows]
    created = alerts_raise_many(specs)
    Alert.objects.filter(key__startswith="family-time-review:").exclude(status=AlertStatus.RESOLVED).exclude(
        key__in=[s.key for s in specs]).update(status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    return created


# --- Cultural support plans ------------------------------------------------------------------


@transaction.atomic
def cultural_plan_save(*, user, member: CaseMember, review_on: dt.date, community: str = "") -> CulturalSupportPlan:
    """Start (or change) the cultural support plan of an Aboriginal or Torres Strait Islander child in care."""
    case = require(user, Action.EDIT, member)
    if member.role != MemberRole.CHILD:
        raise CaseworkError("A cultural support plan is for a child of the case.")
    if not rules.needs_cultural_plan(member.person.indigenous_status):
        raise CaseworkError(f"A cultural support plan is for an Aboriginal or Torres Strait Islander child; "
                            f"{member.person.given_name} is not recorded as one.")
    today = timezone.localdate()
    if in_care_since(member, today) is None:
        raise CaseworkError(f"{member.person.given_name} is not in care.")
    if review_on <= today:
        raise CaseworkError("The review date must be in the future.")
    plan = CulturalSupportPlan.objects.select_for_update().filter(member=member).first()
    if plan is None:
        plan = CulturalSupportPlan(case=case, member=member, created_by=user)
    plan.review_on, plan.community = review_on, community.strip()
    _stamp(plan, user).save()
    return plan


@transaction.atomic
def cultural_activity_add(*, user, plan: CulturalSupportPlan, activity: str, responsible: str,
                          how_often: str = "") -> CulturalSupportActivity:
    require(user, Action.EDIT, plan)
    if not activity.strip():
        raise CaseworkError("Say what the plan provides.")
    if not responsible.strip():
        raise CaseworkError("Say who is responsible for it.")
    row = CulturalSupportActivity(plan=plan, activity=activity.strip(), responsible=responsible.strip(),
                                  how_often=how_often.strip())
    _stamp(row, user).save()
    return row
