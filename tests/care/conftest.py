import datetime as dt

from django.utils import timezone

from care import services
from care.models import ApprovalStatus, CarerHousehold, HouseholdKind
from cases.models import Office

TODAY = timezone.localdate


def household(name="Fictional Nguyen household", *, office=None, status=ApprovalStatus.APPROVED, by=None):
    office = office or Office.objects.first()
    approved_on = timezone.localdate() - dt.timedelta(days=900) if status == ApprovalStatus.APPROVED else None
    return CarerHousehold.objects.create(name=name, kind=HouseholdKind.FOSTER, office=office, approval_status=status,
                                         approved_on=approved_on)


def place(case, leader, home, *, child=None, start=None, reason="Could not stay at home safely"):
    child = child or case.children[0]
    start = start or timezone.localdate() - dt.timedelta(days=30)
    return services.placement_record(user=case.caseworker, child=child, household=home, placement_type="short_term",
                                     start=start, reason_for_change=reason, approved_by=leader)


def agree(placement, user, items=(("carer", "Take the child to school"), ("child_safety", "Fortnightly phone call"))):
    return services.agreement_save(user=user, placement=placement,
                                   items=[services.ItemInput(who, what) for who, what in items],
                                   supports_to_carer="Respite one weekend a month",
                                   review_on=timezone.localdate() + dt.timedelta(days=90))
