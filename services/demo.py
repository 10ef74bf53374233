"""Fictional service providers for the demo agency, and a few referrals on the new demo cases.

Every name here is invented. Providers are created once (get_or_create); referrals are
added only to the cases created in this run, with bulk inserts. With ``scale`` (the
benchmark agency) only the directory is created."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cases.models import CaseMember, MemberRole
from services import rules
from services.models import (
    CommunicationPlan,
    ExchangeMethod,
    FamilyInformation,
    InformationMethod,
    ProviderUpdate,
    Referral,
    ReferralStatusChange,
    Service,
    ServiceProvider,
    ServiceType,
)

AREAS = "Northgate Vale, Riverbend Heights, Kestrel Park, Lowmead Flats, Quarry Hill"

# (provider, phone, e-mail, address, [(service, type, area, cost per session, typical wait in days)])
PROVIDERS = [
    ("Bluegum Family Counselling", "07 5550 0101", "intake@bluegum.example", "12 Wattle Lane, Northgate Vale", [
        ("Family counselling", ServiceType.COUNSELLING, AREAS, Decimal("120.00"), 14),
        ("Child and adolescent counselling", ServiceType.COUNSELLING, "Northgate Vale, Kestrel Park",
         Decimal("110.00"), 21),
    ]),
    ("Riverbend Youth Service", "07 5550 0202", "hello@riverbendyouth.example", "4 Ferry Street, Riverbend Heights", [
        ("Youth support worker", ServiceType.OTHER, "Riverbend Heights, Lowmead Flats", Decimal("0"), 7),
    ]),
    ("Wattle Grove Parenting Centre", "07 5550 0303", "referrals@wattlegrove.example", "88 Grove Road, Kestrel Park", [
        ("Circle of care parenting program", ServiceType.PARENTING, AREAS, Decimal("0"), 28),
        ("In-home parenting support", ServiceType.PARENTING, "Kestrel Park, Quarry Hill", Decimal("85.00"), 10),
    ]),
    ("Kookaburra Creek Recovery Service", "07 5550 0404", "intake@kookaburracreek.example",
     "3 Creek Crescent, Lowmead Flats", [
         ("Alcohol and drug counselling", ServiceType.ALCOHOL_AND_DRUG, AREAS, Decimal("0"), 21),
     ]),
    ("Safe Harbour Family Violence Service", "07 5550 0505", "support@safeharbour.example", "PO Box 55, Northgate Vale", [
        ("Women's safety support", ServiceType.FAMILY_VIOLENCE, AREAS, Decimal("0"), 3),
        ("Men's behaviour change program", ServiceType.FAMILY_VIOLENCE, "Northgate Vale, Riverbend Heights",
         Decimal("60.00"), 35),
    ]),
    ("Ironbark Community Health", "07 5550 0606", "reception@ironbarkhealth.example", "20 Hospital Way, Quarry Hill", [
        ("Child health nurse", ServiceType.HEALTH, AREAS, Decimal("0"), 5),
        ("Paediatric psychology", ServiceType.COUNSELLING, "Quarry Hill, Lowmead Flats", Decimal("180.00"), 42),
    ]),
    ("Silky Oak Housing Support", "07 5550 0707", "housing@silkyoak.example", "7 Shelter Street, Riverbend Heights", [
        ("Tenancy support", ServiceType.HOUSING, AREAS, Decimal("0"), 14),
    ]),
    ("Sunbird Cultural Connections", "07 5550 0808", "yarn@sunbird.example", "15 Songline Place, Kestrel Park", [
        ("Cultural support and family connection", ServiceType.CULTURAL, AREAS, Decimal("0"), 7),
    ]),
    ("Learning Bridges Tutoring", "07 5550 0909", "enrol@learningbridges.example", "2 School Street, Northgate Vale", [
        ("School re-engagement tutoring", ServiceType.EDUCATION, "Northgate Vale, Kestrel Park", Decimal("45.00"), 10),
    ]),
]

HOW_TO_REFER = "Phone the intake line or e-mail the referral form; include the case reference number, not names."


@transaction.atomic
def ensure_directory() -> list[Service]:
    services = []
    for name, phone, email, address, offered in PROVIDERS:
        provider, _ = ServiceProvider.objects.get_or_create(
            name=name, defaults={"phone": phone, "email": email, "address": address})
        for service_name, service_type, area, cost, wait in offered:
            service, _ = Service.objects.get_or_create(
                provider=provider, name=service_name,
                defaults={"service_type": service_type, "area_served": area, "cost_per_session": cost,
                          "typical_wait_days": wait, "how_to_refer": HOW_TO_REFER})
            services.append(service)
    return services


FINANCIAL_DELEGATES = ["finance"]  # demo staff who approve referral payments (cases/demo.py creates them)


def ensure_financial_delegates() -> None:
    from django.contrib.auth.models import Permission

    from cases.models import User

    permission = Permission.objects.get(content_type__app_label="services", codename="approve_referral_cost")
    for user in User.objects.filter(username__in=FINANCIAL_DELEGATES):
        user.user_permissions.add(permission)


def seed(agency, cases, *, scale: bool) -> None:
    ensure_financial_delegates()
    services = ensure_directory()
    if scale or not cases:
        return
    _referrals(cases, [s for s in services if not s.costs_money])


@transaction.atomic
def _referrals(cases, free_services: list[Service]) -> None:
    """About a third of the new cases get one free service: most active with a plan and an
    update, some just sent. Free services only, so no payment approval is implied."""
    rng = random.Random(6060 + len(cases))
    today = timezone.localdate()
    parents = {}
    for member in CaseMember.objects.filter(case__in=[c.pk for c in cases], role=MemberRole.PARENT,
                                            left_on__isnull=True).order_by("pk"):
        parents.setdefault(member.case_id, member)
    chosen = [c for i, c in enumerate(cases) if i % 3 == 0 and c.pk in parents]
    referrals = [
        Referral(case=c, service=rng.choice(free_services), created_by_id=c.caseworker_id,
                 reason="Support the parent with the goal agreed in the case plan.", status=rules.SENT)
        for c in chosen
    ]
    Referral.objects.bulk_create(referrals)
    changes, plans, updates, information, links = [], [], [], [], []
    Through = Referral.people.through
    for referral in referrals:
        parent = parents[referral.case_id]
        links.append(Through(referral_id=referral.pk, casemember_id=parent.pk))
        started = max(referral.case.opened_on, today - dt.timedelta(days=rng.randint(30, 120)))
        sent_on = started
        steps = [("", rules.DRAFT, sent_on), (rules.DRAFT, rules.SENT, sent_on)]
        if rng.random() < 0.75:
            accepted_on = min(today, sent_on + dt.timedelta(days=rng.randint(3, 14)))
            active_on = min(today, accepted_on + dt.timedelta(days=rng.randint(0, 7)))
            steps += [(rules.SENT, rules.ACCEPTED, accepted_on), (rules.ACCEPTED, rules.ACTIVE, active_on)]
            referral.status, referral.active_on = rules.ACTIVE, active_on
            every = rng.choice([14, 28])
            last_update = min(today, active_on + dt.timedelta(days=rng.randint(5, 40)))
            plans.append(CommunicationPlan(
                referral=referral, provider_contact_name="Intake worker", method=ExchangeMethod.PHONE,
                every_days=every, started_on=active_on, updated_by_id=referral.created_by_id,
                next_update_due=rules.next_update_due(plan_started_on=active_on, last_update_on=last_update,
                                                      every_days=every)))
            updates.append(ProviderUpdate(referral=referral, received_on=last_update, method=ExchangeMethod.PHONE,
                                          summary="Attending sessions; engaging well.",
                                          recorded_by_id=referral.created_by_id))
            referral.next_review_on = today + dt.timedelta(days=rng.randint(7, 60))
        information.append(FamilyInformation(
            referral=referral, given_on=sent_on, method=InformationMethod.IN_PERSON,
            recorded_by_id=referral.created_by_id, details=("Gave the service's phone number and intake hours; "
                     "the first appointment is arranged by phone.")))
        changes += [ReferralStatusChange(referral=referral, from_status=a, to_status=b, on=on,
                                         changed_by_id=referral.created_by_id) for a, b, on in steps]
    Referral.objects.bulk_update(referrals, ["status", "active_on", "next_review_on"])
    Through.objects.bulk_create(links)
    ReferralStatusChange.objects.bulk_create(changes)
    CommunicationPlan.objects.bulk_create(plans)
    ProviderUpdate.objects.bulk_create(updates)
    FamilyInformation.objects.bulk_create(information)
    InfoThrough = FamilyInformation.given_to.through
    InfoThrough.objects.bulk_create([InfoThrough(familyinformation_id=info.pk,
                                                 casemember_id=parents[info.referral.case_id].pk)
                                     for info in information])
