from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date

register = template.Library()

STATUS_LABELS = {"met": "Met", "short": "Short", "on_track": "Still needed", "not_assessable": "Not assessable",
                 "no_requirement": "No requirement"}


def _in_progress(status, month) -> bool:
    """A shortfall in the current month is still achievable ("current" names this month)."""
    this_month = timezone.localdate().replace(day=1)
    return status == "short" and (month == "current" or (month is not None and month >= this_month))


@register.filter
def month_status(status, month=None):
    """A stored status as users read it: in the current month a shortfall is still needed."""
    return STATUS_LABELS.get("on_track" if _in_progress(status, month) else status, status or "Not yet computed")


@register.filter
def status_class(status, month=None):
    return "on_track" if _in_progress(status, month) else (status or "none")


@register.filter
def short_by(line):
    return max(0, line["required"] - line["achieved"])


@register.filter
def case_type_label(code):
    from contacts.rules import CASE_TYPE_LABELS

    return CASE_TYPE_LABELS.get(code, "Case type unknown")


@register.filter
def get_month(cells, month):
    return cells.get(month)


@register.filter
def contact_summary(contact_id, contacts):
    """A contact as a requirement line explains it: date, kind, who, where, by whom."""
    contact = contacts.get(contact_id) if contacts else None
    if contact is None:
        return f"Contact #{contact_id}"
    local = timezone.localtime(contact.occurred_at)
    names = [p.member.person.given_name for p in contact.participants.all()]
    people = " and ".join(filter(None, [", ".join(names[:-1]), names[-1] if names else ""]))
    where = contact.get_location_display()
    if contact.location_person:
        where = f"{where} ({contact.location_person.given_name})" if where else str(contact.location_person)
    maker = contact.provider_worker or str(contact.provider or "") if contact.provider_id else str(contact.made_by or "")
    parts = [f"{local.day} {local:%b}", contact.get_kind_display().split(" (")[0].lower()]
    parts += [f"with {people}"] if people else []
    parts += [f"at {where[0].lower()}{where[1:]}"] if where else []
    parts += [f"by {maker}"] if maker else []
    return ", ".join(parts)


@register.filter
def iso_day(value):
    """A date stored as ISO text in a month's JSON result, as a date for ``|date``."""
    return parse_date(value) if isinstance(value, str) else value
