"""Reads of children in care: start from the permission-filtered sets, set-based."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from care import rules
from care.models import (
    AgreementCheck,
    CarerHousehold,
    CarerVisit,
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeSession,
    FamilyTimeStage,
    Placement,
    PlacementAgreement,
    ProgressionStatus,
    StageStatus,
)
from cases.models import Case, CaseMember, LivingArrangement, LivingKind, MemberRole
from cases.permissions import countable_cases, led_team_ids, visible_cases
from casework.dates import add_months


def households(user) -> QuerySet:
    """The organisation's carer households: every member of staff reads the directory."""
    if not (user and user.is_authenticated and user.is_active):
        return CarerHousehold.objects.none()
    return CarerHousehold.objects.select_related("office").prefetch_related("people")


def household_detail(user, pk) -> CarerHousehold | None:
    return households(user).filter(pk=pk).first()


def visible_placements(user) -> QuerySet:
    """Placements of children of cases ``user`` may see."""
    return (Placement.objects.filter(living_arrangement__member__case__in=visible_cases(user).values("pk"))
            .select_related("living_arrangement__member__case", "living_arrangement__member__person", "household",
                            "approved_by"))


def household_placements(user, household: CarerHousehold) -> QuerySet:
    """The household's placements that ``user`` may see (only on cases they may see)."""
    return visible_placements(user).filter(household=household).order_by("-living_arrangement__effective_from")


def visible_agreements(user) -> QuerySet:
    return (PlacementAgreement.objects
            .filter(placement__living_arrangement__member__case__in=visible_cases(user).values("pk"))
            .select_related("placement__living_arrangement__member__case", "created_by")
            .prefetch_related("items"))


def placement_in_case(case: Case, pk) -> Placement | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (Placement.objects.filter(pk=pk, living_arrangement__member__case=case)
            .select_related("living_arrangement__member__person", "living_arrangement__member__case__team",
                            "living_arrangement__member__case__caseworker", "household", "approved_by")
            .first())


def placement_agreements(placement: Placement) -> list[PlacementAgreement]:
    return list(placement.agreements.select_related("created_by").prefetch_related("items").order_by("-version"))


def placement_visits(placement: Placement) -> list[CarerVisit]:
    return list(placement.carer_visits.select_related("contact", "recorded_by", "agreement")
                .prefetch_related(Prefetch("checks", AgreementCheck.objects.select_related("item"))))


def _window(today: dt.date) -> dt.date:
    return add_months(today, -rules.STABILITY_WINDOW_MONTHS) + dt.timedelta(days=1)


def case_children_in_care(case: Case, today: dt.date) -> list[dict]:
    """Per child of ``case``: their in-care history (each period with its placement, or none when
    recorded before placements) and the placement stability. Three queries."""
    children = list(CaseMember.objects.filter(case=case, role=MemberRole.CHILD).select_related("person"))
    periods = defaultdict(list)
    for arrangement in (LivingArrangement.objects.filter(member__case=case, kind=LivingKind.IN_CARE)
                        .select_related("placement_record__household", "placement_record__approved_by")
                        .order_by("-effective_from")):
        periods[arrangement.member_id].append(arrangement)
    rows = []
    for child in children:
        history = periods.get(child.pk, [])
        if not history:
            continue
        count = rules.placements_in_last_12_months([(a.effective_from, a.effective_to) for a in history], today)
        current = next((a for a in history if a.effective_from <= today
                        and (a.effective_to is None or a.effective_to >= today)), None)
        rows.append({"child": child, "history": [(a, getattr(a, "placement_record", None)) for a in history],
                     "current": current, "current_placement": getattr(current, "placement_record", None) if current else None,
                     "count": count, "label": rules.stability_label(count), "unstable": rules.is_unstable(count)})
    return rows


def stability_summary(user, today: dt.date) -> dict:
    """For the team leader's and manager's dashboards: children in care now within the user's
    reach, and how many had three or more placements in the last 12 months (one grouped query;
    counts only, so restricted cases within reach count without being named)."""
    in_care_now = Q(effective_from__lte=today) & (Q(effective_to__isnull=True) | Q(effective_to__gte=today))
    cases = countable_cases(user).open().values("pk")
    per_child = (LivingArrangement.objects.filter(member__case__in=cases, kind=LivingKind.IN_CARE,
                                                  effective_from__lte=today)
                 .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=_window(today)))
                 .values("member_id").annotate(placements=Count("pk"),
                                               now=Count("pk", filter=in_care_now)).order_by())
    children = [row for row in per_child if row["now"]]
    unstable = sum(1 for row in children if rules.is_unstable(row["placements"]))
    return {"in_care": len(children), "unstable": unstable, "threshold": rules.UNSTABLE_FROM}


def unstable_children(user, today: dt.date) -> list[dict]:
    """Children of visible cases in care now with three or more placements in 12 months, by case
    reference (for the drill-down: lists name cases, never children)."""
    in_care_now = Q(effective_from__lte=today) & (Q(effective_to__isnull=True) | Q(effective_to__gte=today))
    rows = (LivingArrangement.objects.filter(member__case__in=visible_cases(user).open().values("pk"),
                                             kind=LivingKind.IN_CARE, effective_from__lte=today)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=_window(today)))
            .values("member_id", "member__case__reference", "member__case__team__name")
            .annotate(placements=Count("pk"), now=Count("pk", filter=in_care_now))
            .filter(now__gt=0, placements__gte=rules.UNSTABLE_FROM).order_by("member__case__reference", "member_id"))
    return list(rows)


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
