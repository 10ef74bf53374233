"""Calendar arithmetic shared by the apps' pure rules modules (no ORM, no settings)."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day the month lacks becomes its last day
    (31 Aug + 6 months = 28/29 Feb; 29 Feb 2024 + 12 months = 28 Feb 2025)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_label(day: dt.date) -> str:
    """A date as every page shows it (the templates' "j M Y"): 2 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


def moment_label(moment: dt.datetime) -> str:
    """A local date and time as every page shows it (DATETIME_FORMAT, "j M Y H:i"): 2 Dec 2026 14:05."""
    return f"{day_label(moment)} {moment:%H:%M}"
