"""The demo agency: realistic spread of cases, staff for every role, idempotent, and a
quick --scale mode for benchmarks."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext

from cases import demo
from cases.management.commands import seed_demo
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


# --- The shape of a real agency (--scale) ----------------------------------------------------

def _within(value, bounds):
    return bounds[0] <= value <= bounds[1]


@pytest.mark.parametrize("cases", [900, 1200, 1500, 2400, 3000, 4000, 6000, 13_337, 20_000, 40_000])
def test_the_scaled_shape_has_real_caseloads_teams_and_offices(cases):
    shape = demo.agency_shape(cases)
    assert len(shape) >= len(demo.PLAIN_SHAPE)
    assert all(_within(len(office), demo.OFFICE_TEAMS_RANGE) for office in shape)
    assert all(_within(team, demo.TEAM_SIZE_RANGE) for office in shape for team in office)
    caseworkers = sum(map(sum, shape))
    assert demo.CASELOAD_RANGE[0] * caseworkers <= cases <= demo.CASELOAD_RANGE[1] * caseworkers


@pytest.mark.parametrize("cases", [None, 150, 400])
def test_the_plain_demo_and_small_scales_keep_the_plain_shape(cases):
    assert demo.agency_shape(cases) == demo.PLAIN_SHAPE


def test_scale_grows_the_agency_to_a_real_shape_and_a_second_run_adds_no_staff(capsys, monkeypatch):
    # Without the other apps' contacts, plans and referrals (their own tests cover them):
    # on SQLite they would take a minute and a half at this scale.
    monkeypatch.setattr(seed_demo, "APPS_WITH_DEMO_DATA", [])
    call_command("seed_demo")  # the plain demo first: --scale tops it up
    call_command("seed_demo", "--scale", "4000")
    staff = _counts()

    offices = Office.objects.annotate(n=Count("teams"))
    assert offices.count() >= 4  # the plain demo's two, grown, and at least two new ones
    for office in offices:
        assert _within(office.n, demo.OFFICE_TEAMS_RANGE), office
        assert office.managers.filter(username__startswith="mgr.").count() == 1, office
    assert set(User.objects.get(username="manager").managed_offices.all()) == set(Office.objects.all())
    assert set(User.objects.get(username="finance").managed_offices.all()) == set(Office.objects.all())
    teams = Team.objects.annotate(
        caseworkers=Count("members", filter=Q(members__role=Role.CASEWORKER)),
        support_officers=Count("members", filter=Q(members__role=Role.SUPPORT_OFFICER)),
        leader_count=Count("leaders", distinct=True))
    for team in teams:
        assert _within(team.caseworkers, demo.TEAM_SIZE_RANGE), team
        assert (team.support_officers, team.leader_count) == (1, 1), team
    caseloads = dict(User.objects.filter(role=Role.CASEWORKER)
                     .annotate(n=Count("allocated_cases", filter=Q(allocated_cases__closed_on__isnull=True)))
                     .values_list("username", "n"))
    assert Case.objects.open().count() == 4000
    assert all(_within(n, demo.CASELOAD_RANGE) for n in caseloads.values()), sorted(caseloads.items(), key=lambda x: x[1])
    assert not Case.objects.exclude(team=F("caseworker__team")).exists()  # the case's team is its worker's
    # The plain demo's people are still who they were.
    assert {"cw.nth1.1", "tl.nth1", "so.nth1", "manager", "finance", "admin"} <= set(
        User.objects.values_list("username", flat=True))
    assert User.objects.get(username="cw.nth1.1").team.name == "Northgate Team A"

    call_command("seed_demo", "--scale", "4000")
    call_command("seed_demo")
    assert _counts() == staff
    assert capsys.readouterr().out.count("ready: 0 cases created") == 2


def _staff_queries(cases):
    """Statements that create the staff of an agency for ``cases`` cases on an empty database.

    Consecutive INSERTs into one table are one bulk_create: the database backend may split it
    into batches (SQLite takes at most 999 parameters a statement, 66 users), which is Django's
    limit and not a query per row."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            agency = demo.ensure_agency(cases)
        staff = User.objects.count()
        transaction.set_rollback(True)
    statements = []
    for query in queries:
        sql = query["sql"]
        insert_into = sql.split("(")[0] if sql.startswith("INSERT") else None
        if not (insert_into and statements and statements[-1] == insert_into):
            statements.append(insert_into or sql)
    return len(statements), staff, len(agency.caseworkers)


def test_the_queries_creating_the_staff_do_not_grow_with_the_number_of_staff():
    small, small_staff, small_workers = _staff_queries(1200)
    large, large_staff, large_workers = _staff_queries(8000)
    assert (small_workers, large_workers) == (60, 400)
    assert large_staff > 5 * small_staff
    assert small == large <= 20
    plain, _, _ = _staff_queries(None)
    assert plain == small
