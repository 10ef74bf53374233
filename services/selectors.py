"""Reads of the directory and of providers' involvement with cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from services.models import ProviderInvolvement


def provider_involvement(case_ids, start: dt.date, end: dt.date) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """For each case, the providers involved in implementing its plan at some point in
    [start, end], as (provider id, from, to) — one query for any number of cases.

    A provider's face-to-face contacts supplement the contact standard only on dates
    inside one of these periods."""
    periods: dict[int, list] = defaultdict(list)
    rows = (
        ProviderInvolvement.objects.filter(case_id__in=case_ids, effective_from__lte=end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        .values_list("case_id", "provider_id", "effective_from", "effective_to")
    )
    for case_id, provider_id, start_on, end_on in rows:
        periods[case_id].append((provider_id, start_on, end_on))
    return periods
