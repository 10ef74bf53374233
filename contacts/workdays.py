"""Working days: weekdays that are not public holidays in the agency's state."""

from __future__ import annotations

import datetime as dt
import functools

import holidays
from django.conf import settings


@functools.lru_cache(maxsize=8)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def is_working_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _public_holidays(settings.AGENCY_HOLIDAYS_COUNTRY, settings.AGENCY_HOLIDAYS_SUBDIVISION, day.year)


def working_days_after(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: a Friday visit recorded the next Tuesday is 2."""
    count, day = 0, start + dt.timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count
