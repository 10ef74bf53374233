"""Reads of the care app. Each starts from what the user may see (cases/permissions.py) and is
set-based: a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from care import rules
from care.models import (
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeSession,
    FamilyTimeStage,
    ProgressionStatus,
    StageStatus,
)
from cases.models import Case, CaseMember, LivingArrangement, LivingKind, MemberRole
from cases.permissions import led_team_ids, visible_cases


def with_review_due(arrangements: QuerySet) -> QuerySet:
    """Annotate ``due_on`` (the current stage's review date, else the arrangement's) and
    ``has_pending`` (a move to the next stage awaits a decision)."""
    current = FamilyTimeStage.objects.filter(arrangement=OuterRef("pk"), status=StageStatus.CURRENT)
    pending = FamilyTimeProgression.objects.filter(arrangement=OuterRef("pk"), status=ProgressionStatus.PENDING)
    return arrangements.annotate(due_on=Coalesce(Subquery(current.values("review_on")[:1]), "review_on"),
                                 current_stage=Subquery(current.values("number")[:1]),
                                 has_pending=Exists(pending))


def overdue_reviews(*, today: dt.date) -> list[dict]:
    """Every open arrangement of an open case whose review date has passed (the daily check)."""
    return list(with_review_due(FamilyTimeArrangement.objects.filter(ended_on__isnull=True,
                                                                       case__closed_on__isnull=True))
                .filter(due_on__lt=today)
                .values("pk", "case_id", "case__reference", "case__team_id", "case__caseworker_id", "due_on"))


def family_time_list(user) -> QuerySet:
    """The family-time arrangements of the cases ``user`` may see, with their review dates."""
    return (with_review_due(FamilyTimeArrangement.objects.filter(case__in=visible_cases(user)))
            .select_related("case", "member__person").prefetch_related("participants__person")
            .order_by("ended_on", "due_on", "case__reference", "pk"))


def family_time_detail(user, pk) -> FamilyTimeArrangement | None:
    """One arrangement ``user`` may see, with everything its page shows; None otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (family_time_list(user).filter(pk=pk)
            .prefetch_related("stages",
                              Prefetch("progressions", queryset=FamilyTimeProgression.objects.select_related(
                                  "stage", "requested_by", "decided_by")),
                              Prefetch("family_sessions", queryset=FamilyTimeSession.objects.select_related(
                                  "recorded_by")),
                              "reviews")
            .select_related("case__team", "case__caseworker").first())


def sessions_list(user) -> QuerySet:
    return (FamilyTimeSession.objects.filter(arrangement__case__in=visible_cases(user))
            .select_related("arrangement__case").order_by("-on", "-pk"))


def progressions_list(user) -> QuerySet:
    return (FamilyTimeProgression.objects.filter(arrangement__case__in=visible_cases(user))
            .select_related("arrangement__case", "stage", "requested_by", "decided_by"))


def pending_progressions(user) -> QuerySet:
    """The moves awaiting ``user``'s decision: of the teams they lead, not their own requests."""
    return (progressions_list(user).filter(status=ProgressionStatus.PENDING,
                                           arrangement__case__team_id__in=led_team_ids(user))
            .exclude(requested_by=user).order_by("requested_at"))


def _in_care_now(on: dt.date) -> QuerySet:
    return LivingArrangement.objects.on(on).filter(member=OuterRef("pk"), kind=LivingKind.IN_CARE)


def children_in_care(case: Case, *, on: dt.date) -> list[CaseMember]:
    """The current children of ``case`` in care on ``on``, each with ``placed_on``, their open
    family-time arrangement (``family_time_open``, a list) and their cultural support plan with
    its activities (``cultural``, or None). Four queries."""
    children = (CaseMember.objects.filter(case=case, role=MemberRole.CHILD, left_on__isnull=True)
                .annotate(placed_on=Subquery(_in_care_now(on).values("effective_from")[:1]))
                .filter(placed_on__isnull=False).select_related("person")
                .prefetch_related(Prefetch("family_time", to_attr="family_time_open",
                                           queryset=with_review_due(FamilyTimeArrangement.objects.filter(
                                               ended_on__isnull=True)))))
    children = list(children)
    plans = {p.member_id: p for p in CulturalSupportPlan.objects.filter(member__in=[c.pk for c in children])
             .prefetch_related("activities")}
    for child in children:
        child.cultural = plans.get(child.pk)
        child.needs_cultural_plan = rules.needs_cultural_plan(child.person.indigenous_status)
    return children


def cultural_plan_activities(user, member) -> list[CulturalSupportActivity]:
    """What the cultural support plan of child ``member`` provides, and who is responsible for
    each: for the carer-visit page, to go through with the carer. Empty when the child has no
    plan, or their case is not one ``user`` may see (one query)."""
    member_id = getattr(member, "pk", member)
    return list(CulturalSupportActivity.objects.filter(plan__member_id=member_id,
                                                       plan__case__in=visible_cases(user))
                .select_related("plan").order_by("pk"))


def cultural_plans_list(user) -> QuerySet:
    return (CulturalSupportPlan.objects.filter(case__in=visible_cases(user))
            .select_related("case", "member__person").prefetch_related("activities").order_by("case__reference"))


def cultural_plan_of(user, member: CaseMember) -> CulturalSupportPlan | None:
    return cultural_plans_list(user).filter(member=member).first()
