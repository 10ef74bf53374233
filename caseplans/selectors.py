"""Reads of case plans. Each starts from the cases the user may see (cases/permissions.py)
and is set-based: subqueries and prefetches, never a query per row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseplans import rules
from caseplans.models import CasePlan, ChildObjective, PlanAction, PlanDecision, PlanGoal, ReunificationPrognosis
from cases.models import Case, CaseMember, LegalStatus, LivingArrangement, LivingKind, MemberRole, Role, User
from cases.permissions import led_team_ids, visible_cases


def _first(queryset, field):
    return Subquery(queryset.values(field)[:1])


def _count(queryset):
    return Coalesce(Subquery(queryset.order_by().values("plan__case").annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), 0)


def annotate_plan_facts(cases: QuerySet, *, today: dt.date) -> QuerySet:
    """Adds what the timeframe rules and progress summary need, one subquery each."""
    plans = CasePlan.objects.filter(case=OuterRef("pk"))
    # The endorsed version stays in force while it is under review, until the next version is endorsed.
    in_force_statuses = rules.IN_FORCE | {rules.UNDER_REVIEW}
    in_force = plans.filter(status__in=in_force_statuses)
    working = plans.filter(status__in=rules.WORKING)
    in_force_actions = PlanAction.objects.filter(plan__case=OuterRef("pk"), plan__status__in=in_force_statuses,
                                                 withdrawn_on__isnull=True)
    return cases.annotate(
        first_endorsed_on=_first(plans.filter(endorsed_on__isnull=False).order_by("version"), "endorsed_on"),
        first_copy_on=_first(plans.filter(copy_provided_on__isnull=False).order_by("version"), "copy_provided_on"),
        in_force_id=_first(in_force, "pk"),
        in_force_version=_first(in_force, "version"),
        in_force_endorsed_on=_first(in_force, "endorsed_on"),
        in_force_review_date=_first(in_force, "review_date"),
        working_version=_first(working, "version"),
        working_status=_first(working, "status"),
        under_review=Exists(plans.filter(status=rules.UNDER_REVIEW)),
        actions_total=_count(in_force_actions),
        actions_complete=_count(in_force_actions.filter(completed_on__isnull=False)),
        actions_overdue=_count(in_force_actions.filter(completed_on__isnull=True, due_on__lt=today)),
        actions_due_soon=_count(in_force_actions.filter(completed_on__isnull=True, due_on__gte=today,
                                                        due_on__lte=today + dt.timedelta(days=settings.CASEPLAN_DUE_SOON_DAYS))),
        next_action_due_on=_first(in_force_actions.filter(completed_on__isnull=True, due_on__gte=today)
                                  .order_by("due_on"), "due_on"),
    )


@dataclass(frozen=True)
class PlanRow:
    """One case's plan position: timeframes, progress, the version being written."""

    case_id: int
    reference: str
    team_id: int
    caseworker_id: int | None
    case: Case
    plan_id: int | None
    timeframes: list
    overdue_actions: int
    progress: str
    due_soon_actions: int = 0  # open actions due within CASEPLAN_DUE_SOON_DAYS
    next_action_due_on: dt.date | None = None

    @property
    def awaiting_endorsement(self) -> bool:
        return self.case.working_status == rules.SUBMITTED

    @property
    def needs_attention(self) -> bool:
        return self.awaiting_endorsement or self.overdue_actions > 0 or self.due_soon_actions > 0 or any(
            f.status in (rules.DUE_SOON, rules.OVERDUE) for f in self.timeframes)


def plan_row(case: Case, *, today: dt.date) -> PlanRow:
    """Compute the rules for a case annotated by :func:`annotate_plan_facts` (no query)."""
    facts = rules.PlanFacts(
        substantiated_on=case.substantiated_on, first_endorsed_on=case.first_endorsed_on,
        first_copy_on=case.first_copy_on, in_force_endorsed_on=case.in_force_endorsed_on,
        in_force_review_date=case.in_force_review_date, review_started=case.under_review)
    frames = rules.case_timeframes(facts, today=today, first_plan_days=settings.CASEPLAN_FIRST_PLAN_DAYS,
                                   review_months=settings.CASEPLAN_REVIEW_MONTHS,
                                   soon_days=settings.CASEPLAN_DUE_SOON_DAYS)
    progress = rules.progress_summary(case.actions_total, case.actions_complete, case.actions_overdue,
                                      case.actions_due_soon) if case.in_force_id else ""
    return PlanRow(case.pk, case.reference, case.team_id, case.caseworker_id, case, case.in_force_id, frames,
                   case.actions_overdue, progress, case.actions_due_soon, case.next_action_due_on)


def _cases_with_plan_work(queryset: QuerySet) -> QuerySet:
    """Open cases with a substantiation or any plan: those the timeframes concern."""
    return queryset.filter(closed_on__isnull=True).filter(
        Q(substantiated_on__isnull=False) | Exists(CasePlan.objects.filter(case=OuterRef("pk"))))


def timeframe_rows(*, today: dt.date) -> list[PlanRow]:
    """Every open case the plan timeframes concern (for the periodic alert check)."""
    cases = annotate_plan_facts(_cases_with_plan_work(Case.objects.all()), today=today).order_by("pk")
    return [plan_row(case, today=today) for case in cases.iterator(chunk_size=2000)]


def is_team_leader(user) -> bool:
    return bool(user.is_authenticated and user.role == Role.TEAM_LEADER)


def team_leader_ids(team_ids) -> list[tuple[int, int]]:
    """(team id, user id) of the active team leaders of ``team_ids``."""
    return list(User.objects.filter(led_teams__in=team_ids, is_active=True).values_list("led_teams", "pk"))


def case_plan_row(case: Case, *, today: dt.date | None = None) -> PlanRow:
    today = today or timezone.localdate()
    return plan_row(annotate_plan_facts(Case.objects.filter(pk=case.pk), today=today).get(), today=today)


def leader_dashboard(user, *, today: dt.date | None = None) -> list[PlanRow]:
    """The plans of a team leader's teams that are awaiting endorsement, due soon or overdue."""
    today = today or timezone.localdate()
    cases = visible_cases(user).filter(team_id__in=led_team_ids(user))
    cases = annotate_plan_facts(_cases_with_plan_work(cases), today=today).select_related("caseworker", "team__office")
    rows = [plan_row(case, today=today) for case in cases.order_by("reference")]
    rows = [row for row in rows if row.needs_attention]
    order = {rules.OVERDUE: 0, rules.DUE_SOON: 1}
    return sorted(rows, key=lambda r: (not r.awaiting_endorsement,
                                       min([order.get(f.status, 2) for f in r.timeframes] or [2]),
                                       min([f.due_on for f in r.timeframes] or [dt.date.max])))


def case_versions(case: Case) -> list[CasePlan]:
    return list(CasePlan.objects.filter(case=case).select_related("endorsed_by").order_by("-version"))


def plan_detail(user, reference: str, version: int) -> CasePlan | None:
    """One version with everything its page and PDF show, from the cases ``user`` may see."""
    children = CaseMember.objects.filter(role=MemberRole.CHILD, left_on__isnull=True).select_related(
        "person").prefetch_related(Prefetch("legal_statuses", queryset=LegalStatus.objects.order_by("-effective_from")))
    return (CasePlan.objects.filter(case__in=visible_cases(user), case__reference=reference, version=version)
            .select_related("case__team", "case__caseworker", "caseworker", "created_by", "submitted_by",
                            "endorsed_by")
            .prefetch_related(
                Prefetch("child_objectives", queryset=ChildObjective.objects.select_related("member__person")),
                "concerns",
                Prefetch("goals", queryset=PlanGoal.objects.select_related("review", "carried_from__review")),
                Prefetch("actions", queryset=PlanAction.objects.select_related("goal")),
                Prefetch("decisions", queryset=PlanDecision.objects.select_related("decided_by")),
                Prefetch("case__members", queryset=children, to_attr="current_children"))
            .first())


def plan_children(plan: CasePlan, *, today: dt.date) -> list[dict]:
    """Each current child of a plan loaded by :func:`plan_detail`: legal status today, permanency
    objective, a warning when the two do not fit, and whether a cultural support plan is needed."""
    objectives = {o.member_id: o for o in plan.child_objectives.all()}
    children = []
    for child in plan.case.current_children:
        status = next((s for s in child.legal_statuses.all()
                       if s.effective_from <= today and (s.effective_to is None or s.effective_to >= today)), None)
        objective = objectives.get(child.pk)
        children.append({
            "member": child, "legal_status": status, "objective": objective,
            "warning": rules.objective_warning(
                objective.objective if objective else "", status.intervention_type if status else None,
                objective_label=objective.get_objective_display() if objective else "",
                status_label=status.get_intervention_type_display() if status else ""),
            "needs_cultural_plan": rules.needs_cultural_plan(child.person.indigenous_status),
        })
    return children


def plan_people(plan: CasePlan, *, on: dt.date) -> list[CaseMember]:
    """The case's current members with their addresses (for the full copy of the plan)."""
    return list(CaseMember.objects.filter(case_id=plan.case_id, left_on__isnull=True).select_related("person")
                .prefetch_related("person__addresses"))


def plan_list(user) -> QuerySet:
    """Every version of every plan of the cases ``user`` may see (API)."""
    return (CasePlan.objects.filter(case__in=visible_cases(user))
            .select_related("case", "caseworker", "endorsed_by")
            .prefetch_related("child_objectives", "concerns", "goals", "actions", "decisions")
            .order_by("case__reference", "-version"))


def action_list(user) -> QuerySet:
    return (PlanAction.objects.filter(plan__case__in=visible_cases(user))
            .select_related("plan__case", "goal").order_by("plan_id", "due_on", "pk"))


def children_in_care(plan: CasePlan, today: dt.date) -> list[CaseMember]:
    """The plan's case's current children, each with ``placed_on``: since when their living
    arrangement in force today is "in care" (None when it is not). One query."""
    in_care = LivingArrangement.objects.on(today).filter(member=OuterRef("pk"), kind=LivingKind.IN_CARE)
    return list(CaseMember.objects.filter(case_id=plan.case_id, role=MemberRole.CHILD, left_on__isnull=True)
                .annotate(placed_on=Subquery(in_care.values("effective_from")[:1]))
                .select_related("person").order_by("person__given_name", "pk"))


def concurrent_rows(plan: CasePlan, *, today: dt.date) -> list[dict]:
    """Concurrent planning on a review version's page: each child in care, whether a prognosis
    is due at this review, the one recorded and its alternate plan (two queries)."""
    prognoses = {p.member_id: p for p in ReunificationPrognosis.objects.filter(plan=plan)
                 .select_related("alternate__decided_by", "alternate__recorded_by")}
    rows = []
    for child in children_in_care(plan, today):
        if child.placed_on is None:
            continue
        prognosis = prognoses.get(child.pk)
        rows.append({"member": child, "prognosis": prognosis,
                     "alternate": getattr(prognosis, "alternate", None) if prognosis else None,
                     "required": rules.prognosis_required(is_review=plan.previous_id is not None,
                                                          placed_on=child.placed_on, on=today),
                     "alternate_required": bool(prognosis) and rules.alternate_plan_required(prognosis.prognosis)})
    return rows
