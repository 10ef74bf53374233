"""The demo agency: realistic spread of cases, staff for every role, idempotent, and a
quick --scale mode for benchmarks."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from cases import demo
from cases.models import (
    Allocation,
    Case,
    CaseMember,
    InterventionType,
    LegalStatus,
    LivingArrangement,
    Office,
    Person,
    RiskAssessment,
    RiskLevel,
    Role,
    Team,
    User,
)
from cases.selectors import latest_risk_level_subquery

pytestmark = pytest.mark.django_db

COUNTED = [Office, Team, User, Case, Person, CaseMember, LegalStatus, LivingArrangement, RiskAssessment, Allocation]


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_the_demo_agency_is_realistic_and_a_second_run_changes_nothing(capsys):
    call_command("seed_demo")
    first = _counts()

    assert Office.objects.count() >= 2
    assert Team.objects.count() >= 4
    assert User.objects.filter(role=Role.CASEWORKER, is_active=True).count() >= 16
    assert User.objects.filter(role=Role.TEAM_LEADER).count() >= 1
    assert User.objects.filter(role=Role.MANAGER).count() >= 1
    assert all(team.leaders.exists() for team in Team.objects.all())
    assert Case.objects.open().count() >= 150

    assert set(LegalStatus.objects.values_list("intervention_type", flat=True)) == set(InterventionType.values)
    current_levels = set(Case.objects.open().annotate(level=latest_risk_level_subquery())
                         .values_list("level", flat=True))
    assert set(RiskLevel.values) <= current_levels
    # Histories: some cases were reallocated and some children changed legal status.
    assert Case.objects.annotate(n=Count("allocations")).filter(n__gt=1).exists()
    assert CaseMember.objects.annotate(n=Count("legal_statuses")).filter(n__gt=1).exists()
    assert CaseMember.objects.annotate(n=Count("living_arrangements")).filter(n__gt=1).exists()
    assert Case.history.exists()
    for model in (LegalStatus, LivingArrangement):
        by_child = {}
        for row in model.objects.all():
            by_child.setdefault(row.member_id, []).append(row)
        for rows in by_child.values():
            assert not any(a.overlaps(b) for i, a in enumerate(rows) for b in rows[i + 1:]), rows
    # References follow the agency's pattern.
    assert all(ref.startswith("QLD-") for ref in Case.objects.values_list("reference", flat=True))

    # Coherent for a demonstration: nobody on the staff shares a surname with a family they
    # work with; a carer is not named like the child's mother; a mother has a woman's name.
    staff_surnames = set(User.objects.exclude(last_name="").values_list("last_name", flat=True))
    assert not staff_surnames & set(Person.objects.values_list("family_name", flat=True))
    for case in Case.objects.prefetch_related("members__person")[:60]:
        parents = {str(m.person) for m in case.members.all() if m.role == "parent"}
        carers = {str(m.person) for m in case.members.all() if m.role == "carer"}
        assert not parents & carers, case.reference
    assert set(CaseMember.objects.filter(relationship="mother").values_list("person__given_name", flat=True)) <= \
        set(demo.MOTHERS)

    call_command("seed_demo")
    assert _counts() == first
    assert "0 cases created" in capsys.readouterr().out


def test_demo_sign_ins_work(client):
    call_command("seed_demo", "--scale", "4")
    from cases.demo import DEMO_PASSWORD

    for role in (Role.CASEWORKER, Role.TEAM_LEADER, Role.MANAGER):
        user = User.objects.filter(role=role).order_by("username").first()
        response = client.post("/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, role
        assert client.get("/cases/").status_code == 200
        client.logout()


def test_scale_creates_exactly_the_number_of_cases_asked_for_and_tops_up(capsys):
    call_command("seed_demo", "--scale", "12")
    assert Case.objects.count() == 12
    assert Case.objects.filter(members__role="child").distinct().count() == 12
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == 12
    call_command("seed_demo", "--scale", "20")
    assert Case.objects.count() == 20
    call_command("seed_demo", "--scale", "5")
    assert Case.objects.count() == 20


def test_scale_must_be_positive():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="positive"):
        call_command("seed_demo", "--scale", "0")
