"""The contacts section of the case page: this month's requirement progress (from the
stored evaluation), recent months, scheduled visits and requests."""

from django.utils import timezone

from cases.permissions import Action, can
from contacts import selectors, services
from contacts.models import ScheduledVisit, VisitStatus


def case_section(request, case):
    month = timezone.localdate().replace(day=1)
    result = selectors.ensure_month_result(case, month) if case.is_open or case.closed_on >= month else None
    return {
        "result": result, "contacts": selectors.contacts_of_result(result),
        "history": [r for r in selectors.recent_results(case) if r.month != month],
        "members": selectors.members_by_id(case),
        "visits": ScheduledVisit.objects.filter(case=case, status=VisitStatus.PLANNED).order_by("scheduled_for")[:5],
        "requests": selectors.requests_for_case(case)[:5],
        "can_record": can(request.user, Action.EDIT, case),
        "can_request": services.can_request_changes(request.user, case),
    }
