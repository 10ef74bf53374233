"""The responses section of the case page: active record alerts first, then open responses
to new information, the safety decision and plan, review due dates and recommendations."""

from cases.models import Role
from cases.permissions import Action, can, may_read_inbound
from responses import selectors, services


def case_section(request, case):
    return {
        **selectors.case_section(case),
        "can_edit": can(request.user, Action.EDIT, case),
        "can_approve": can(request.user, Action.APPROVE, case),
        "may_close": services.may_close(request.user, case),
    }


def sees_due_page(user) -> bool:
    return user.is_authenticated and user.role in (Role.TEAM_LEADER, Role.MANAGER)


def reviews_inbound(user) -> bool:
    return may_read_inbound(user)


def month_section(request, case, month):
    """On a case's month page: whether a safety plan for a child's return home asks for more
    contact than the standard, and how it was answered."""
    status = selectors.additional_contact(case, month)
    if status is None:
        return None
    return {"status": status,
            "may_record": status.needed and status.plan.status == "approved" and can(request.user, Action.APPROVE, case),
            "may_request": status.needed and can(request.user, Action.EDIT, case)
            and request.user.role in (Role.CASEWORKER, Role.TEAM_LEADER)}
