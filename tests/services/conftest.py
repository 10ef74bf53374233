"""Fixtures of the services tests: a small directory, a financial delegate and referrals
at any step of the workflow (built through the real services, never by setting fields)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from services import rules
from services import services as referral_services
from services.models import Service, ServiceProvider, ServiceType


@pytest.fixture
def directory(db):
    counselling_provider = ServiceProvider.objects.create(name="Test Counselling Rooms", phone="07 0000 0001")
    parenting_provider = ServiceProvider.objects.create(name="Test Parenting Hub")
    return {
        "paid": Service.objects.create(provider=counselling_provider, name="Family counselling",
                                       service_type=ServiceType.COUNSELLING, area_served="Northgate Vale, Kestrel Park",
                                       cost_per_session=Decimal("120.00"), typical_wait_days=14,
                                       how_to_refer="Phone intake"),
        "free": Service.objects.create(provider=parenting_provider, name="Parenting program",
                                       service_type=ServiceType.PARENTING, area_served="Riverbend Heights",
                                       cost_per_session=Decimal("0")),
    }


def grant_delegate(user):
    user.user_permissions.add(Permission.objects.get(codename="approve_referral_cost",
                                                     content_type__app_label="services"))
    # has_perm caches permissions on the instance; a fresh copy sees the grant.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def delegate(cast):
    """A manager of office 1 holding the financial delegate permission."""
    return grant_delegate(cast.manager)


def long_ago():
    return timezone.localdate() - dt.timedelta(days=60)


def make_referral(case, service, user, status=rules.DRAFT, *, approver=None, on=None):
    """A referral of the case's first parent, moved through the real workflow to ``status``."""
    referral = referral_services.referral_create(user=user, case=case, service=service, people=[case.parents[0]],
                                                 reason="Parenting support as in the case plan")
    if status == rules.DRAFT:
        return referral
    if service.costs_money:
        approval = referral_services.referral_cost_request(user=user, referral=referral,
                                                           cost_per_session=service.cost_per_session, sessions=6,
                                                           payment_method="purchase_order")
        referral_services.referral_cost_decide(user=approver, approval=approval, approve=True, comment="ok")
    on = on or timezone.localdate()
    path = {rules.SENT: [rules.SENT], rules.ACCEPTED: [rules.SENT, rules.ACCEPTED],
            rules.UNABLE_TO_ACCEPT: [rules.SENT, rules.UNABLE_TO_ACCEPT],
            rules.ACTIVE: [rules.SENT, rules.ACCEPTED, rules.ACTIVE],
            rules.COMPLETED: [rules.SENT, rules.ACCEPTED, rules.ACTIVE, rules.COMPLETED],
            rules.WITHDRAWN: [rules.WITHDRAWN],
            rules.CLOSED: [rules.SENT, rules.UNABLE_TO_ACCEPT, rules.CLOSED]}[status]
    for step in path:
        referral = referral_services.referral_transition(user=user, referral=referral, to_status=step, on=on,
                                                         note="Step note", alternatives="Other service")
    return referral


@pytest.fixture
def family(cast):
    from tests.conftest import make_family_case

    return make_family_case(cast.worker)

