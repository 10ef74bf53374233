"""The "Children in care" section of the case page (a fixed number of queries)."""

from django.utils import timezone

from care import selectors
from cases.permissions import Action, can


def case_section(request, case):
    today = timezone.localdate()
    children = selectors.children_in_care(case, on=today)
    if not children:
        return None
    return {"children": children, "today": today, "can_edit": can(request.user, Action.EDIT, case)}
