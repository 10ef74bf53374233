"""Reads of children in care: start from the permission-filtered sets, set-based."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet

from care import rules
from care.models import AgreementCheck, CarerHousehold, CarerVisit, Placement, PlacementAgreement
from cases.models import Case, CaseMember, LivingArrangement, LivingKind, MemberRole
from cases.permissions import countable_cases, visible_cases
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
