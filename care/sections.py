"""The "Children in care" section of the case page (three queries, whatever the number of children)."""

from django.utils import timezone

from care import selectors
from cases.permissions import Action, can


def case_section(request, case):
    children = selectors.case_children_in_care(case, timezone.localdate())
    can_edit = can(request.user, Action.EDIT, case)
    if not children and not can_edit:
        return None
    return {"children": children, "can_edit": can_edit}


def family_time_section(request, case):
    today = timezone.localdate()
    children = selectors.children_in_care(case, on=today)
    if not children:
        return None
    return {"children": children, "today": today, "can_edit": can(request.user, Action.EDIT, case)}
