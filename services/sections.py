"""The services section of the case page: the coordination view of every service working
with the family (status, last contact, next review and next update due)."""

from django.utils import timezone

from cases.permissions import Action, can
from services import selectors


def case_section(request, case):
    return {
        "referrals": selectors.case_referrals(case),
        "can_refer": can(request.user, Action.EDIT, case),
        "today": timezone.localdate(),
    }
