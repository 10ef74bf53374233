"""Load what the carer line needs (care.rules.CarerPlacement) for any number of cases and one
month, in two set-based queries. Called by contacts.facts, so the carer line is part of the same
stored evaluation as the rest of the month."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate

from care import rules
from care.models import CarerVisit, Placement


def load_carer_placements(case_ids: QuerySet, month: dt.date, month_start_at: dt.datetime,
                          month_end_at: dt.datetime) -> dict[int, tuple[rules.CarerPlacement, ...]]:
    """case id → the placements current in some part of ``month``, with the month's carer visits
    and the last carer visit before it. ``month_start_at``/``month_end_at``: [start, end) of the
    month in the agency time zone."""
    first, last = month.replace(day=1), rules._month_end(month)
    placements = list(
        Placement.objects.filter(living_arrangement__member__case_id__in=case_ids,
                                 living_arrangement__effective_from__lte=last)
        .filter(Q(living_arrangement__effective_to__isnull=True) | Q(living_arrangement__effective_to__gte=first))
        .order_by("pk")
        .values_list("pk", "living_arrangement__member__case_id", "living_arrangement__member_id",
                     "living_arrangement__member__person__given_name", "household__name",
                     "living_arrangement__effective_from", "living_arrangement__effective_to"))
    if not placements:
        return {}
    ids = [row[0] for row in placements]
    visits = defaultdict(list)
    last_before = {}
    for placement_id, contact_id, day in (
        _in_person(CarerVisit.objects.filter(placement_id__in=ids, contact__occurred_at__gte=month_start_at,
                                  contact__occurred_at__lt=month_end_at))
        .annotate(day=TruncDate("contact__occurred_at")).order_by("contact__occurred_at")
        .values_list("placement_id", "contact_id", "day")
    ):
        visits[placement_id].append((contact_id, day))
    for placement_id, day in (
        _in_person(CarerVisit.objects.filter(placement_id__in=ids, contact__occurred_at__lt=month_start_at))
        .values_list("placement_id").annotate(last=Max(TruncDate("contact__occurred_at"))).order_by()
    ):
        last_before[placement_id] = day
    by_case = defaultdict(list)
    for pk, case_id, member_id, name, household, start, end in placements:
        by_case[case_id].append(rules.CarerPlacement(pk, member_id, name, household, start, end,
                                                     tuple(visits[pk]), last_before.get(pk)))
    return {case_id: tuple(rows) for case_id, rows in by_case.items()}


# A telephone or video call, or an attempted visit, is not a visit to the carer.
NOT_A_VISIT_MODES = ("telephone", "video", "attempted")


def _in_person(visits: QuerySet) -> QuerySet:
    return visits.filter(contact__kind__in=("face_to_face", "support")).exclude(contact__mode__in=NOT_A_VISIT_MODES)
