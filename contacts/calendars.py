"""Pure calendar logic of planned visits: the days of a week or a month grid, and the
iCalendar text (RFC 5545) of a worker's feed. No ORM, no request, no clock: the caller
passes the day and the instant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEEK, MONTH = "week", "month"


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_days(day: dt.date) -> list[dt.date]:
    first = week_start(day)
    return [first + dt.timedelta(days=i) for i in range(7)]


def month_weeks(day: dt.date) -> list[list[dt.date]]:
    """The weeks (Monday to Sunday) that hold a day of ``day``'s month, as a grid."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    weeks, monday = [], week_start(first)
    while monday < following:
        weeks.append([monday + dt.timedelta(days=i) for i in range(7)])
        monday += dt.timedelta(days=7)
    return weeks


def shifted(day: dt.date, view: str, steps: int) -> dt.date:
    """The day ``steps`` weeks or months away (a month step lands on the first of the month)."""
    if view == WEEK:
        return day + dt.timedelta(weeks=steps)
    index = day.year * 12 + day.month - 1 + steps
    return dt.date(index // 12, index % 12 + 1, 1)


def grid_range(day: dt.date, view: str) -> tuple[dt.date, dt.date]:
    """The first and last day a week or month grid shows."""
    days = week_days(day) if view == WEEK else [d for week in month_weeks(day) for d in week]
    return days[0], days[-1]


# Where a visit planned from a requirement line takes place, by line code (see
# contacts.rules): the lines that name a residence or the child's living environment
# are met only there; any other visit is planned at home unless the worker says otherwise.
HOME, OTHER = "home", "other"
PLACE_BY_REQUIREMENT = {
    "f2f_at_residence": HOME,
    "caseworker_at_parent_residence": HOME,
    "caseworker_in_child_environment": HOME,
}


def place_for_requirement(code: str) -> str:
    return PLACE_BY_REQUIREMENT.get(code, HOME)


# --- iCalendar ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedEvent:
    """One event of a feed. ``start`` is an aware datetime for a timed visit, or a date for
    a visit of the whole day. The caller chooses the words: a case reference, never a name."""

    uid: str
    start: dt.datetime | dt.date
    summary: str
    description: str = ""
    url: str = ""
    duration_minutes: int = 60
    cancelled: bool = False


def ical_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def ical_fold(line: str) -> str:
    """Fold a content line to at most 75 octets per line (RFC 5545 3.1): continuation lines
    start with one space; a UTF-8 character is never split."""
    out, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_calendar(events: list[FeedEvent], *, now: dt.datetime, name: str) -> str:
    """The VCALENDAR text of ``events``: CRLF line endings, folded lines, escaped text, a UID
    and DTSTAMP on each event, timed starts in UTC and whole days as DATE values."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Casework//Planned visits//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{ical_escape(name)}"]
    stamp = _utc(now)
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{ical_escape(event.uid)}", f"DTSTAMP:{stamp}"]
        if isinstance(event.start, dt.datetime):
            end = event.start + dt.timedelta(minutes=event.duration_minutes)
            lines += [f"DTSTART:{_utc(event.start)}", f"DTEND:{_utc(end)}"]
        else:
            lines += [f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{event.start + dt.timedelta(days=1):%Y%m%d}"]
        lines.append(f"SUMMARY:{ical_escape(event.summary)}")
        if event.description:
            lines.append(f"DESCRIPTION:{ical_escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += [f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}", "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)
