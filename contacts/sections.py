"""The contacts section of the case page: this month's requirement progress (from the
stored evaluation), recent months, scheduled visits and requests."""

from django.utils import timezone

from cases.permissions import Action, can
from contacts import selectors, services, visit_selectors


def case_section(request, case):
    month = timezone.localdate().replace(day=1)
    result = selectors.ensure_month_result(case, month) if case.is_open or case.closed_on >= month else None
    return {
        "result": result, "contacts": selectors.contacts_of_result(result),
        "history": [r for r in selectors.recent_results(case) if r.month != month],
        "members": selectors.members_by_id(case),
        "visits": visit_selectors.case_visits(case, today=timezone.localdate()),
        "still_needed": visit_selectors.still_needed(result),
        "requests": selectors.requests_for_case(case)[:5],
        "can_record": can(request.user, Action.EDIT, case),
        "can_request": services.can_request_changes(request.user, case),
    }
