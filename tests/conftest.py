"""Shared fixtures: the fixed cast for access tests and a family case to work on.

The cast: a caseworker (``worker``) in team A; a colleague in the same team; a
worker of team B (same office); team A's leader; team B's leader; the manager of
office 1; a manager of another office; a support officer of team A; an administrator.
Cases: ``own_case`` (allocated to worker), ``team_case`` (allocated to the colleague),
``other_team_case`` (team B), ``other_office_case`` (office 2).
"""

import datetime as dt
import os
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from cases.models import Role
from tests import factories as f

# --- The clock ---------------------------------------------------------------------------
# Tests derive "today" and "now" from the clock (timezone.localdate(), timezone.localtime()),
# never from the hour they happen to run at. CASEWORK_TEST_NOW pins the clock for a whole
# run, to prove that: `make test-clock` runs the suite at instants where date mistakes show
# (agency and UTC dates differing, agency midnight, the last minute of a month). Given
# without an offset, the instant is agency time.
TEST_NOW = os.environ.get("CASEWORK_TEST_NOW", "")


def pinned_instant() -> dt.datetime | None:
    if not TEST_NOW:
        return None
    instant = dt.datetime.fromisoformat(TEST_NOW)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "Australia/Brisbane")))
    return instant


_session_clock = None


def pytest_configure(config):
    # Before collection, so module-level dates (TODAY = timezone.localdate()) are the pinned date.
    global _session_clock
    if pinned_instant():
        _session_clock = time_machine.travel(pinned_instant(), tick=True)
        _session_clock.start()


def pytest_unconfigure(config):
    if _session_clock:
        _session_clock.stop()


def pytest_report_header(config):
    return f"clock pinned: each test starts at {pinned_instant().isoformat()}" if pinned_instant() else None


@pytest.fixture(autouse=True)
def pinned_clock():
    """With CASEWORK_TEST_NOW, every test starts at that instant (and the clock ticks on)."""
    if not pinned_instant():
        yield None
        return
    with time_machine.travel(pinned_instant(), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers cost ~0.3 s per user; the cast alone has ten.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def attachments_in_a_temporary_folder(settings, tmp_path):
    """Attached files go to the test's own temporary folder, never the repository's."""
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None}}}
    return tmp_path / "attachments"


@pytest.fixture(autouse=True)
def celery_in_process():
    """Tasks run in-process in tests (CI has a Redis URL, but no worker unless a test starts one)."""
    from casework.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def api_answers_match_the_schema(monkeypatch):
    """Every /api/ answer a test receives through Django's or DRF's test client is checked
    against the OpenAPI document (tests/openapi_validation.py); a mismatch fails that test."""
    from django.test import Client

    from tests.openapi_validation import check_response

    send = Client.request

    def request_and_check(self, **request):
        response = send(self, **request)
        check_response(response)
        return response

    monkeypatch.setattr(Client, "request", request_and_check)


@dataclass
class Cast:
    worker: object
    colleague: object
    other_team_worker: object
    leader: object
    other_team_leader: object
    manager: object
    other_office_manager: object
    support_officer: object
    administrator: object
    team_a: object
    team_b: object
    team_c: object


@pytest.fixture
def cast(db):
    office1, office2 = f.OfficeFactory(), f.OfficeFactory()
    team_a, team_b = f.TeamFactory(office=office1), f.TeamFactory(office=office1)
    team_c = f.TeamFactory(office=office2)
    leader = f.UserFactory(role=Role.TEAM_LEADER, username="leader")
    leader.led_teams.add(team_a)
    other_team_leader = f.UserFactory(role=Role.TEAM_LEADER, username="leader_b")
    other_team_leader.led_teams.add(team_b)
    manager = f.UserFactory(role=Role.MANAGER, username="manager")
    manager.managed_offices.add(office1)
    other_office_manager = f.UserFactory(role=Role.MANAGER, username="manager2")
    other_office_manager.managed_offices.add(office2)
    return Cast(
        worker=f.UserFactory(team=team_a, username="worker"),
        colleague=f.UserFactory(team=team_a, username="colleague"),
        other_team_worker=f.UserFactory(team=team_b, username="worker_b"),
        leader=leader,
        other_team_leader=other_team_leader,
        manager=manager,
        other_office_manager=other_office_manager,
        support_officer=f.UserFactory(team=team_a, role=Role.SUPPORT_OFFICER, username="support"),
        administrator=f.UserFactory(role=Role.ADMINISTRATOR, username="admin_user", is_staff=True),
        team_a=team_a, team_b=team_b, team_c=team_c,
    )


def make_family_case(caseworker, *, opened_on=None, children=2, parents=1, intervention="ipa",
                     risk="moderate", with_address=True):
    """A case with children at home with a parent, a legal status and a risk assessment."""
    opened_on = opened_on or timezone.localdate().replace(day=1) - dt.timedelta(days=400)
    case = f.CaseFactory(caseworker=caseworker, team=caseworker.team, opened_on=opened_on)
    f.AllocationFactory(case=case)
    parent_members = [f.MemberFactory(case=case, role="parent", relationship="mother",
                                      person__given_name=f"Parent{i}") for i in range(parents)]
    if with_address:
        for m in parent_members:
            f.AddressFactory(person=m.person)
    child_members = []
    for i in range(children):
        child = f.MemberFactory(case=case, role="child", person__given_name=f"Child{i}")
        f.LegalStatusFactory(member=child, intervention_type=intervention)
        f.ChildGoalFactory(member=child)
        f.LivingArrangementFactory(member=child, kind="at_home",
                                   with_person=parent_members[0].person if parent_members else None)
        child_members.append(child)
    if risk:
        f.RiskAssessmentFactory(case=case, risk_level=risk, completed_on=opened_on)
    case.children = child_members
    case.parents = parent_members
    return case


@pytest.fixture
def cases(cast):
    """One case per access position relative to ``cast.worker``."""
    other_office_worker = f.UserFactory(team=cast.team_c, username="worker_c")
    return {
        "own": make_family_case(cast.worker),
        "team": make_family_case(cast.colleague),
        "other_team": make_family_case(cast.other_team_worker),
        "other_office": make_family_case(other_office_worker),
    }


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def pytest_terminal_summary(terminalreporter):
    """The access matrix's counts, for README (tests/test_access_matrix.py)."""
    import sys

    matrix = sys.modules.get("tests.test_access_matrix")
    if matrix is not None and matrix.COUNTS:
        terminalreporter.write_line(f"access matrix: {matrix.COUNTS}")
