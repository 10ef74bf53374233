"""Every write of the care app: family time (arrangements, stages, progressions, sessions,
reviews) and cultural support plans. Keyword-only, atomic, named ``<thing>_<verb>``; a refusal
is a ``CaseworkError`` with a message for the person. Access through cases/permissions.py."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertStatus
from alerts.services import AlertSpec, alert_raise, alert_resolve, alerts_raise_many
from care import rules, selectors
from care.models import (
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeReview,
    FamilyTimeSession,
    FamilyTimeStage,
    ProgressionStatus,
    StageStatus,
    Supervision,
)
from cases.errors import CaseworkError
from cases.models import CaseMember, CasePlanGoal, ChildGoal, LivingArrangement, LivingKind, MemberRole, User
from cases.permissions import Action, can, require
from casework.dates import day_label

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
