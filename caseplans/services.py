"""Every write of case plans. Keyword-only, atomic, named ``<thing>_<verb>``; a refusal is a
``CaseworkError`` with a message for the person. Access is checked through cases/permissions.py.

Optimistic locking: a form carries the ``lock_version`` it was opened with; the save first
claims the row with ``UPDATE … SET lock_version = n + 1 WHERE id = … AND lock_version = n``.
A row count of 0 means someone else saved first (or the plan left the draft stage), and the
save is refused with nothing of either person lost (the view keeps the typed input).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from caseplans import rules, selectors
from caseplans.models import (
    AlternatePlan,
    AlternateStatus,
    CasePlan,
    ChildObjective,
    DecisionKind,
    GoalReview,
    GoalStatus,
    PlanAction,
    PlanDecision,
    PlanGoal,
    ProtectiveConcern,
    ReunificationPrognosis,
)
from cases.locking import claim
from cases.models import Case, CaseMember, MemberRole
from cases.permissions import Action, can, require
from cases.services import CaseworkError
from casework.dates import day_label

PLAN_FIELDS = ("caseworker", "how_made", "made_on", "participants", "child_participated", "child_views",
               "visit_frequency", "cultural_support_plan", "review_date", "right_of_review_told_on",
               "confidential_notes")
ACTION_FIELDS = ("goal", "what", "responsible_kind", "responsible_name", "service", "location",
                 "location_confidential", "due_on", "measure")

def _not_editable(current) -> None:
    raise CaseworkError(rules.edit_problem(current.status if isinstance(current, CasePlan) else current.plan.status))


def _claim(model, obj, lock_version: int, *, thing: str, extra: Q | None = None) -> None:
    """Win the row or refuse (cases/locking.py): the conditional UPDATE is the optimistic lock."""
    claim(obj, lock_version, thing=thing, extra=extra, refused=_not_editable)


def _claim_existing(model, obj, lock_version: int | None, *, thing: str) -> None:
    """A row of a draft's content being changed (not added) must win its optimistic lock."""
    if obj.pk is None:
        return
    if lock_version is None:
        raise TypeError(f"changing a {thing} needs the lock_version it was read with")
    _claim(model, obj, lock_version, thing=thing, extra=Q(plan__status__in=rules.EDITABLE))


def _require_editable(user, plan: CasePlan) -> None:
    require(user, Action.EDIT, plan.case)
    problem = rules.edit_problem(plan.status)
    if problem:
        raise CaseworkError(problem)


def _children(case: Case):
    return CaseMember.objects.filter(case=case, role=MemberRole.CHILD, left_on__isnull=True)


def _check_caseworker(case: Case, caseworker) -> None:
    if caseworker is not None and not can(caseworker, Action.VIEW, case):
        raise CaseworkError("The caseworker responsible must be someone who works on this case.")


# --- The plan -------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, user, case: Case, **fields) -> CasePlan:
    """Start version 1 of a case's plan (later versions come from :func:`plan_review_start`)."""
    require(user, Action.EDIT, case)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    existing = CasePlan.objects.filter(case=case)
    if existing.filter(status__in=rules.WORKING).exists():
        raise CaseworkError("This case already has a plan being written; change that one.")
    if existing.exists():
        raise CaseworkError("This case has a plan already; start a review of it to make the next version.")
    objectives = fields.pop("objectives", {}) or {}
    fields.setdefault("caseworker", case.caseworker)
    _check_caseworker(case, fields["caseworker"])
    plan = CasePlan(case=case, version=1, created_by=user, **{k: v for k, v in fields.items() if k in PLAN_FIELDS})
    plan._history_user, plan._change_reason = user, WRITTEN
    plan.save()
    _objectives_save(plan, objectives)
    return plan


def _objectives_save(plan: CasePlan, objectives: dict) -> None:
    """``objectives`` maps a child's CaseMember id to a permanency objective ("" removes it)."""
    if not objectives:
        return
    child_ids = set(_children(plan.case).values_list("pk", flat=True))
    unknown = set(objectives) - child_ids
    if unknown:
        raise CaseworkError("A permanency objective can be set only for a child of this case.")
    current = {o.member_id: o for o in plan.child_objectives.all()}
    for member_id, objective in objectives.items():
        row = current.get(member_id)
        if not objective:
            if row:
                row.delete()
        elif row is None:
            ChildObjective.objects.create(plan=plan, member_id=member_id, objective=objective)
        elif row.objective != objective:
            row.objective = objective
            row.save(update_fields=["objective"])


@transaction.atomic
def plan_update(*, user, plan: CasePlan, lock_version: int, **fields) -> CasePlan:
    """Change a draft (or returned) version; refused when someone saved it since ``lock_version``."""
    _require_editable(user, plan)
    _claim(CasePlan, plan, lock_version, thing="plan", extra=Q(status__in=rules.EDITABLE))
    objectives = fields.pop("objectives", None)
    if "caseworker" in fields:
        _check_caseworker(plan.case, fields["caseworker"])
    for name, value in fields.items():
        if name not in PLAN_FIELDS:
            raise TypeError(f"plan_update() got an unexpected field {name!r}")
        setattr(plan, name, value)
    plan._history_user, plan._change_reason = user, WRITTEN
    plan.save()
    _objectives_save(plan, objectives or {})
    return plan


def submit_problems(plan: CasePlan) -> list[str]:
    """What a version needs before a team leader can be asked to endorse it."""
    problems = []
    actions = [a for a in plan.actions.all() if a.withdrawn_on is None]
    if not plan.concerns.exists():
        problems.append("Record at least one protective concern.")
    if not plan.goals.exists():
        problems.append("Record at least one goal.")
    if not actions:
        problems.append("Add at least one action to the actions table.")
    if plan.review_date is None:
        problems.append("Set the review date.")
    children = list(_children(plan.case).select_related("person"))
    with_objective = set(plan.child_objectives.values_list("member_id", flat=True))
    for child in children:
        if child.pk not in with_objective:
            problems.append(f"Choose the permanency objective for {child.person.given_name}.")
        if rules.needs_cultural_plan(child.person.indigenous_status) and not plan.cultural_support_plan.strip():
            problems.append(f"Write the cultural support plan for {child.person.given_name}.")
    return problems + concurrent_planning_problems(plan)


@transaction.atomic
def plan_submit(*, user, plan: CasePlan) -> CasePlan:
    require(user, Action.EDIT, plan.case)
    problem = rules.transition_problem(plan.status, rules.SUBMITTED)
    if problem:
        raise CaseworkError(problem)
    problems = submit_problems(plan)
    if problems:
        raise CaseworkError("Before submitting: " + " ".join(problems))
    won = CasePlan.objects.filter(pk=plan.pk, status=plan.status).update(
        status=rules.SUBMITTED, submitted_by=user, submitted_at=timezone.now(), lock_version=F("lock_version") + 1)
    if not won:
        raise CaseworkError("The plan changed while you were submitting it; open it again.")
    return _reload(plan, user)


def _reload(plan: CasePlan, user) -> CasePlan:
    """Re-read after a conditional UPDATE and keep a history row of the new state."""
    plan.refresh_from_db()
    plan._history_user, plan._change_reason = user, f"status: {plan.status}"
    plan.save(update_fields=["status"])
    return plan


# The change reason of history rows where someone wrote the plan's own fields (not a change of status).
WRITTEN = "written"


def plan_author_ids(plan: CasePlan) -> set[int]:
    """Everyone who wrote any part of this version: who started and submitted it, and anyone whose
    change is in the history of its details, objectives, concerns, goals or actions (one query)."""
    written = CasePlan.history.filter(id=plan.pk, history_change_reason=WRITTEN).order_by().values_list(
        "history_user_id")
    for model in (ChildObjective, ProtectiveConcern, PlanGoal, PlanAction):
        written = written.union(model.history.filter(plan_id=plan.pk).order_by().values_list("history_user_id"))
    return ({plan.created_by_id, plan.submitted_by_id} | {user_id for (user_id,) in written}) - {None}


def _decide_check(user, plan: CasePlan, *, endorsing: bool) -> None:
    require(user, Action.VIEW, plan.case)
    problem = rules.endorse_problem(
        author_ids=plan_author_ids(plan) if endorsing else set(),
        user_id=user.pk, is_team_leader_of_case=can(user, Action.APPROVE, plan.case))
    if problem:
        raise CaseworkError(problem)
    target = rules.ENDORSED if endorsing else rules.RETURNED
    problem = rules.transition_problem(plan.status, target)
    if problem:
        raise CaseworkError(problem)


def open_smart_warnings(plan: CasePlan, today: dt.date | None = None) -> list[tuple[str, list[str]]]:
    """(what, warnings) for each action of the version, still open, that is not SMART."""
    today = today or timezone.localdate()
    open_actions = (a for a in plan.actions.all() if a.withdrawn_on is None and a.completed_on is None)
    found = ((action.what, rules.smart_warnings(rules.ActionFacts.of(action), today)) for action in open_actions)
    return [(what, warnings) for what, warnings in found if warnings]


def smart_warnings_text(warnings: list[tuple[str, list[str]]]) -> list[str]:
    return [f"\u201c{what}\u201d: {' '.join(problems)}" for what, problems in warnings]


@transaction.atomic
def plan_endorse(*, user, plan: CasePlan, comment: str = "") -> CasePlan:
    """A team leader of the case's team endorses a submitted version they did not write.
    The version it replaces (under review) becomes superseded. Endorsing over actions that
    are not SMART needs the endorser's reason, recorded with the warnings as they stood."""
    _decide_check(user, plan, endorsing=True)
    today = timezone.localdate()
    concurrent = concurrent_planning_problems(plan, today)
    if concurrent:
        raise CaseworkError("The review cannot be completed yet: " + " ".join(concurrent))
    warnings = open_smart_warnings(plan, today)
    if warnings and not comment.strip():
        raise CaseworkError("These actions are not SMART: " + " ".join(smart_warnings_text(warnings))
                            + " Give your reason for endorsing over them in the comment, or return the plan.")
    won = CasePlan.objects.filter(pk=plan.pk, status=rules.SUBMITTED).update(
        status=rules.ENDORSED, endorsed_by=user, endorsed_on=today, lock_version=F("lock_version") + 1)
    if not won:
        raise CaseworkError("This plan is no longer waiting for endorsement.")
    if plan.previous_id and CasePlan.objects.filter(pk=plan.previous_id, status=rules.UNDER_REVIEW).update(
            status=rules.SUPERSEDED):
        _reload(CasePlan(pk=plan.previous_id), user)  # a history row of the old version's new status
    PlanDecision.objects.create(plan=plan, decision=DecisionKind.ENDORSED, comment=comment.strip(), decided_by=user,
                                smart_warnings=[[what, problems] for what, problems in warnings])
    return _reload(plan, user)


@transaction.atomic
def plan_return(*, user, plan: CasePlan, comment: str) -> CasePlan:
    """A team leader of the case's team returns a submitted version with comments."""
    _decide_check(user, plan, endorsing=False)
    if not comment.strip():
        raise CaseworkError("Say what needs to change: a returned plan needs a comment.")
    won = CasePlan.objects.filter(pk=plan.pk, status=rules.SUBMITTED).update(
        status=rules.RETURNED, lock_version=F("lock_version") + 1)
    if not won:
        raise CaseworkError("This plan is no longer waiting for endorsement.")
    PlanDecision.objects.create(plan=plan, decision=DecisionKind.RETURNED, comment=comment.strip(), decided_by=user)
    return _reload(plan, user)


@transaction.atomic
def plan_copy_provided(*, user, plan: CasePlan, provided_on: dt.date, how: str,
                       right_of_review_told_on: dt.date | None = None) -> CasePlan:
    """Record that the child and parents were given a copy of the endorsed plan."""
    require(user, Action.EDIT, plan.case)
    problem = rules.transition_problem(plan.status, rules.COPY_PROVIDED)
    if problem:
        raise CaseworkError(problem if plan.status != rules.SUBMITTED else
                            "A copy can be recorded only once the plan is endorsed.")
    if not how.strip():
        raise CaseworkError("Say how the copy was provided (e.g. given at a home visit, posted).")
    if provided_on > timezone.localdate():
        raise CaseworkError("The date the copy was provided cannot be in the future.")
    if provided_on < plan.endorsed_on:
        raise CaseworkError("The copy cannot have been provided before the plan was endorsed.")
    updates = {"status": rules.COPY_PROVIDED, "copy_provided_on": provided_on, "copy_provided_how": how.strip(),
               "lock_version": F("lock_version") + 1}
    if right_of_review_told_on:
        updates["right_of_review_told_on"] = right_of_review_told_on
    if not CasePlan.objects.filter(pk=plan.pk, status=rules.ENDORSED).update(**updates):
        raise CaseworkError("The copy of this plan was recorded already; open it again.")
    return _reload(plan, user)


@transaction.atomic
def plan_review_start(*, user, plan: CasePlan) -> CasePlan:
    """Start the review of the version in force: it becomes "under review" and the next version
    is drafted, carrying forward its details, the children's objectives, the concerns, and the
    open goals and actions. Returns the new draft."""
    require(user, Action.EDIT, plan.case)
    problem = rules.transition_problem(plan.status, rules.UNDER_REVIEW)
    if problem:
        raise CaseworkError(problem)
    won = CasePlan.objects.filter(pk=plan.pk, status__in=rules.IN_FORCE).update(
        status=rules.UNDER_REVIEW, review_started_on=timezone.localdate(), lock_version=F("lock_version") + 1)
    if not won:
        raise CaseworkError("This plan is no longer in force; open it again.")
    _reload(plan, user)
    new = CasePlan(case=plan.case, version=plan.version + 1, previous=plan, created_by=user,
                   **{name: getattr(plan, name) for name in PLAN_FIELDS})
    new.review_date = None
    new.right_of_review_told_on = None
    new._history_user = user
    try:
        new.save()
    except IntegrityError as error:
        raise CaseworkError("A newer version of this plan exists already.") from error
    ChildObjective.objects.bulk_create(
        [ChildObjective(plan=new, member_id=o.member_id, objective=o.objective) for o in plan.child_objectives.all()])
    ProtectiveConcern.objects.bulk_create(
        [ProtectiveConcern(plan=new, concern=c.concern, strengths=c.strengths, needs=c.needs)
         for c in plan.concerns.all()])
    goal_map = {}
    for goal in plan.goals.filter(status=GoalStatus.OPEN):
        goal_map[goal.pk] = PlanGoal.objects.create(plan=new, text=goal.text, carried_from=goal)
    PlanAction.objects.bulk_create([
        PlanAction(plan=new, goal=goal_map.get(a.goal_id), carried_from=a, progress_note=a.progress_note,
                   **{name: getattr(a, name) for name in ACTION_FIELDS if name != "goal"})
        for a in plan.actions.filter(completed_on__isnull=True, withdrawn_on__isnull=True)
    ])
    return new


# --- Concerns, goals, actions -----------------------------------------------------------


@transaction.atomic
def concern_save(*, user, plan: CasePlan, concern: ProtectiveConcern | None = None, lock_version: int | None = None,
                 text: str, strengths: str = "", needs: str = "") -> ProtectiveConcern:
    """Add a concern, or change one (``lock_version`` as read: a stale change is refused)."""
    _require_editable(user, plan)
    if not text.strip():
        raise CaseworkError("Describe the protective concern.")
    concern = concern or ProtectiveConcern(plan=plan)
    if concern.plan_id != plan.pk:
        raise CaseworkError("This concern belongs to another plan.")
    _claim_existing(ProtectiveConcern, concern, lock_version, thing="concern")
    concern.concern, concern.strengths, concern.needs = text.strip(), strengths.strip(), needs.strip()
    concern._history_user = user
    concern.save()
    return concern


@transaction.atomic
def goal_save(*, user, plan: CasePlan, goal: PlanGoal | None = None, lock_version: int | None = None, text: str,
              status: str = GoalStatus.OPEN) -> PlanGoal:
    """Add a goal, or change one (``lock_version`` as read: a stale change is refused)."""
    _require_editable(user, plan)
    if not text.strip():
        raise CaseworkError("Write the goal.")
    goal = goal or PlanGoal(plan=plan)
    if goal.plan_id != plan.pk:
        raise CaseworkError("This goal belongs to another plan.")
    _claim_existing(PlanGoal, goal, lock_version, thing="goal")
    goal.text, goal.status = text.strip(), status
    goal._history_user = user
    goal.save()
    return goal


def _action_values(plan: CasePlan, fields: dict) -> dict:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unexpected action fields {sorted(unknown)}")
    if not (fields.get("what") or "").strip():
        raise CaseworkError("Say what will be done.")
    goal = fields.get("goal")
    if goal is not None and goal.plan_id != plan.pk:
        raise CaseworkError("The goal must be one of this plan's goals.")
    return fields


@transaction.atomic
def action_add(*, user, plan: CasePlan, **fields) -> PlanAction:
    _require_editable(user, plan)
    action = PlanAction(plan=plan, **_action_values(plan, fields))
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def action_update(*, user, action: PlanAction, lock_version: int, **fields) -> PlanAction:
    plan = action.plan
    _require_editable(user, plan)
    _action_values(plan, fields)
    _claim(PlanAction, action, lock_version, thing="action", extra=Q(plan__status__in=rules.EDITABLE))
    for name, value in fields.items():
        setattr(action, name, value)
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def action_complete(*, user, action: PlanAction, lock_version: int, completed_on: dt.date | None,
                    progress_note: str) -> PlanAction:
    """Tick an action off (or record progress without ticking it) on a draft or the plan in force."""
    plan = action.plan
    require(user, Action.EDIT, plan.case)
    if plan.status not in rules.EDITABLE | rules.IN_FORCE:
        raise CaseworkError("Progress is recorded on the plan in force; this version is "
                            f"{rules.STATUS_LABELS[plan.status].lower()}.")
    if completed_on and completed_on > timezone.localdate():
        raise CaseworkError("The completion date cannot be in the future.")
    if action.withdrawn_on:
        raise CaseworkError("This action was withdrawn from the plan; reinstate it first.")
    _claim(PlanAction, action, lock_version, thing="action")
    action.completed_on, action.progress_note = completed_on, progress_note.strip()
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def action_withdraw(*, user, action: PlanAction, lock_version: int, reason: str) -> PlanAction:
    """Take an action out of a draft's table (added by mistake, or not carried into the next version).
    The row stays, with the reason; :func:`action_reinstate` puts it back."""
    _require_editable(user, action.plan)
    if not reason.strip():
        raise CaseworkError("Say why the action is withdrawn.")
    if action.withdrawn_on:
        raise CaseworkError("This action was withdrawn already.")
    _claim_existing(PlanAction, action, lock_version, thing="action")
    action.withdrawn_on, action.withdrawn_reason = timezone.localdate(), reason.strip()
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def action_reinstate(*, user, action: PlanAction, lock_version: int) -> PlanAction:
    _require_editable(user, action.plan)
    _claim_existing(PlanAction, action, lock_version, thing="action")
    action.withdrawn_on, action.withdrawn_reason = None, ""
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def goal_review_record(*, user, goal: PlanGoal, progress: str, evidence: str, recommendation: str) -> GoalReview:
    """At review: the progress towards one goal, the evidence for it, and a recommendation."""
    plan = goal.plan
    require(user, Action.EDIT, plan.case)
    if plan.status not in rules.IN_FORCE | {rules.UNDER_REVIEW}:
        raise CaseworkError("Progress towards goals is assessed on an endorsed plan, at its review.")
    if not evidence.strip():
        raise CaseworkError("Give the evidence for the progress you record.")
    review, _ = GoalReview.objects.update_or_create(
        goal=goal, defaults={"progress": progress, "evidence": evidence.strip(), "recommendation": recommendation,
                             "recorded_by": user})
    return review


# --- Concurrent planning (Ontario Standard 7) -------------------------------------------------


def permanency_facts(plan: CasePlan, today: dt.date | None = None) -> list[rules.ChildPermanency]:
    """What concurrent planning knows of each child of the plan's case at this version (two queries)."""
    today = today or timezone.localdate()
    prognoses = {p.member_id: p for p in ReunificationPrognosis.objects.filter(plan=plan).select_related("alternate")}
    facts = []
    for child in selectors.children_in_care(plan, today):
        prognosis = prognoses.get(child.pk)
        alternate = getattr(prognosis, "alternate", None) if prognosis else None
        facts.append(rules.ChildPermanency(
            name=child.person.given_name, placed_on=child.placed_on,
            prognosis=prognosis.prognosis if prognosis else "", alternate_recorded=alternate is not None,
            alternate_endorsed=alternate is not None and alternate.status == AlternateStatus.ENDORSED))
    return facts


def concurrent_planning_problems(plan: CasePlan, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    return rules.review_completion_problems(permanency_facts(plan, today), is_review=plan.previous_id is not None,
                                            on=today)


def _review_child(user, plan: CasePlan, member: CaseMember) -> None:
    """Refuse unless ``plan`` is a review version still being written and ``member`` a child of
    its case in care (the prognosis belongs to this review)."""
    require(user, Action.EDIT, plan.case)
    if plan.previous_id is None:
        raise CaseworkError("The prognosis for reunification is recorded at a review, not in the first plan.")
    if plan.status not in rules.EDITABLE:
        raise CaseworkError(rules.edit_problem(plan.status))
    child = next((c for c in selectors.children_in_care(plan, timezone.localdate()) if c.pk == member.pk), None)
    if child is None or child.placed_on is None:
        raise CaseworkError("Concurrent planning is for a child of the case who is in care.")


@transaction.atomic
def prognosis_record(*, user, plan: CasePlan, member: CaseMember, prognosis: str,
                     reasons: str) -> ReunificationPrognosis:
    """At a review, the prognosis for reunification of a child in care, with its reasons.
    Changing a prognosis to or from poor leaves any alternate plan to be endorsed again."""
    _review_child(user, plan, member)
    if prognosis not in rules.PROGNOSIS_LABELS:
        raise CaseworkError("Choose good, uncertain or poor.")
    if not reasons.strip():
        raise CaseworkError("Give the reasons for the prognosis.")
    row = ReunificationPrognosis.objects.select_for_update().filter(plan=plan, member=member).first()
    changed = row is not None and row.prognosis != prognosis
    row = row or ReunificationPrognosis(plan=plan, member=member)
    row.prognosis, row.reasons, row.recorded_by = prognosis, reasons.strip(), user
    row._history_user = user
    row.save()
    if changed:
        AlternatePlan.objects.filter(prognosis=row).update(status=AlternateStatus.PENDING, decided_by=None,
                                                           decided_at=None, decision_comment="")
    return row


@transaction.atomic
def alternate_plan_record(*, user, prognosis: ReunificationPrognosis, with_whom: str, legal_path: str,
                          people_searched: str, people_assessed: str) -> AlternatePlan:
    """The alternate permanent plan of a child whose prognosis is poor. Recording it (again)
    asks the team leader to endorse it (again)."""
    _review_child(user, prognosis.plan, prognosis.member)
    if not rules.alternate_plan_required(prognosis.prognosis):
        raise CaseworkError("An alternate permanent plan is recorded when the prognosis for reunification is poor.")
    missing = [label for label, value in (("with whom", with_whom), ("the people searched for", people_searched),
                                          ("the people assessed", people_assessed)) if not value.strip()]
    if missing:
        raise CaseworkError("Say " + ", ".join(missing) + ".")
    row = AlternatePlan.objects.select_for_update().filter(prognosis=prognosis).first()
    row = row or AlternatePlan(prognosis=prognosis)
    row.with_whom, row.legal_path = with_whom.strip(), legal_path
    row.people_searched, row.people_assessed = people_searched.strip(), people_assessed.strip()
    row.recorded_by, row.status, row.decided_by, row.decided_at, row.decision_comment = (
        user, AlternateStatus.PENDING, None, None, "")
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def alternate_plan_decide(*, user, alternate: AlternatePlan, endorse: bool, comment: str = "") -> AlternatePlan:
    """A team leader of the case's team (not its author) endorses an alternate permanent plan or
    returns it with comments."""
    plan = alternate.prognosis.plan
    require(user, Action.VIEW, plan.case)
    problem = rules.endorse_problem(author_ids={alternate.recorded_by_id}, user_id=user.pk,
                                    is_team_leader_of_case=can(user, Action.APPROVE, plan.case))
    if problem:
        raise CaseworkError(problem)
    if not endorse and not comment.strip():
        raise CaseworkError("Say what needs to change: a returned alternate plan needs a comment.")
    status = AlternateStatus.ENDORSED if endorse else AlternateStatus.RETURNED
    if not AlternatePlan.objects.filter(pk=alternate.pk, status=AlternateStatus.PENDING).update(
            status=status, decided_by=user, decided_at=timezone.now(), decision_comment=comment.strip()):
        raise CaseworkError("This alternate plan is no longer waiting for endorsement.")
    alternate.refresh_from_db()
    alternate._history_user = user
    alternate.save(update_fields=["status"])
    return alternate


# --- Timeframe alerts ------------------------------------------------------------------


def plan_timeframes_check(*, today: dt.date | None = None) -> int:
    """Raise alerts (due soon, overdue) for every open case's plan timeframes and actions,
    and resolve the ones no longer true. Set-based: a fixed number of queries. Returns new alerts."""
    from alerts.models import Alert, AlertKind, AlertStatus
    from alerts.services import AlertSpec, alerts_raise_many
    today = today or timezone.localdate()
    rows = selectors.timeframe_rows(today=today)
    team_ids = {row.team_id for row in rows}
    leaders: dict[int, list[int]] = {}
    for team_id, user_id in selectors.team_leader_ids(team_ids):
        leaders.setdefault(team_id, []).append(user_id)
    specs = []
    for row in rows:
        recipients = tuple(sorted({row.caseworker_id, *leaders.get(row.team_id, [])} - {None}))
        link = f"/cases/{row.reference}/"
        for frame in row.timeframes:
            if frame.status not in (rules.DUE_SOON, rules.OVERDUE):
                continue
            kind = AlertKind.PLAN_OVERDUE if frame.status == rules.OVERDUE else AlertKind.PLAN_DUE
            specs.append(AlertSpec(
                key=f"caseplan:{frame.key}:{row.case_id}:{frame.due_on:%Y-%m-%d}:{frame.status}", kind=kind,
                title=f"{frame.name} {'overdue' if frame.status == rules.OVERDUE else 'due'} "
                      f"{day_label(frame.due_on)}: {row.reference}",
                recipient_ids=recipients, case_id=row.case_id, link=link, due_on=frame.due_on))
        if row.overdue_actions:
            specs.append(AlertSpec(
                key=f"caseplan:actions:{row.plan_id}", kind=AlertKind.ACTION_OVERDUE,
                title=f"Case plan actions overdue: {row.reference}", recipient_ids=recipients,
                case_id=row.case_id, link=link))
        if row.due_soon_actions:
            # One alert per plan and earliest due date: when that action is done, the next one due
            # soon (if any) is a new alert with its own date.
            due = row.next_action_due_on
            specs.append(AlertSpec(
                key=f"caseplan:actions-due:{row.plan_id}:{due:%Y-%m-%d}", kind=AlertKind.ACTION_DUE,
                title=f"Case plan action due {day_label(due)}: {row.reference}", recipient_ids=recipients,
                case_id=row.case_id, link=link, due_on=due))
    created = alerts_raise_many(specs)
    Alert.objects.filter(key__startswith="caseplan:").exclude(status=AlertStatus.RESOLVED).exclude(
        key__in=[s.key for s in specs]).update(status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    return created


def timeframe_settings() -> dict:
    return {"first_plan_days": settings.CASEPLAN_FIRST_PLAN_DAYS, "review_months": settings.CASEPLAN_REVIEW_MONTHS,
            "soon_days": settings.CASEPLAN_DUE_SOON_DAYS}
