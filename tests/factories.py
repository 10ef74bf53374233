"""factory_boy factories for the records every app's tests need."""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import (
    Address,
    Allocation,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    MemberRole,
    Office,
    Person,
    RiskAssessment,
    Role,
    Team,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Office {n}")
    code = factory.Sequence(lambda n: f"O{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = "Member"
    role = Role.CASEWORKER
    password = factory.django.Password(PASSWORD)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = "Testfamily"
    date_of_birth = dt.date(2015, 3, 1)


def _first_of_last_year():
    return timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=365)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"TST-2025-{n:06d}")
    caseworker = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.caseworker.team or TeamFactory())
    opened_on = factory.LazyFunction(_first_of_last_year)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseMember

    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(PersonFactory)
    role = MemberRole.CHILD
    joined_on = factory.LazyAttribute(lambda o: o.case.opened_on)


class LegalStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalStatus

    member = factory.SubFactory(MemberFactory)
    intervention_type = "ipa"
    effective_from = factory.LazyAttribute(lambda o: o.member.joined_on)


class ChildGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildGoal

    member = factory.SubFactory(MemberFactory)
    goal = "remain_home"
    effective_from = factory.LazyAttribute(lambda o: o.member.joined_on)


class LivingArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LivingArrangement

    member = factory.SubFactory(MemberFactory)
    kind = "at_home"
    effective_from = factory.LazyAttribute(lambda o: o.member.joined_on)


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    case = factory.SubFactory(CaseFactory)
    tool = "fre"
    risk_level = "moderate"
    completed_on = factory.LazyAttribute(lambda o: o.case.opened_on)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    person = factory.SubFactory(PersonFactory)
    line1 = "1 Test Street"
    suburb = "Testville"
    effective_from = dt.date(2020, 1, 1)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    case = factory.SubFactory(CaseFactory)
    caseworker = factory.LazyAttribute(lambda o: o.case.caseworker)
    team = factory.LazyAttribute(lambda o: o.case.team)
    started_on = factory.LazyAttribute(lambda o: o.case.opened_on)
