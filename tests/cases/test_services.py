"""Case creation and reallocation: reference numbers, allocation history, refusals, and
the record history (who, when, before/after) shown on the case page."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from cases.models import Allocation, Case, CaseReferenceCounter, Role
from cases.services import CaseworkError, case_create, case_reallocate, case_references_allocate, case_update
from tests import factories as f
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _open(cast, opened_on=None, user=None):
    return case_create(user=user or cast.worker, team=cast.team_a, caseworker=cast.worker,
                       opened_on=opened_on or TODAY)


def test_references_are_sequential_within_a_year_and_restart_each_year(cast):
    last_year = TODAY.replace(month=1, day=1) - dt.timedelta(days=1)
    first, second = _open(cast), _open(cast)
    earlier = _open(cast, opened_on=last_year)
    assert first.reference == f"QLD-{TODAY.year}-000001"
    assert second.reference == f"QLD-{TODAY.year}-000002"
    assert earlier.reference == f"QLD-{last_year.year}-000001"
    assert re.fullmatch(r"QLD-\d{4}-\d{6}", first.reference)


def test_a_batch_of_references_continues_the_sequence_without_gaps_or_repeats(db):
    first = case_references_allocate(year=2026, count=3)
    second = case_references_allocate(year=2026, count=2)
    assert first + second == [f"QLD-2026-{n:06d}" for n in range(1, 6)]
    assert CaseReferenceCounter.objects.get(year=2026).last_number == 5


def test_a_refused_case_does_not_use_up_a_reference_number(cast):
    with pytest.raises(CaseworkError):
        _open(cast, opened_on=TODAY + dt.timedelta(days=3))
    assert _open(cast).reference.endswith("-000001")


def test_opening_a_case_records_the_first_allocation(cast):
    case = _open(cast, opened_on=TODAY - dt.timedelta(days=7))
    allocation = Allocation.objects.get(case=case)
    assert (allocation.caseworker, allocation.team, allocation.started_on, allocation.ended_on) == (
        cast.worker, cast.team_a, case.opened_on, None)
    assert allocation.allocated_by == cast.worker


def test_a_case_is_opened_only_in_ones_own_team_for_a_caseworker_of_that_team(cast):
    with pytest.raises(CaseworkError, match="own team"):
        case_create(user=cast.worker, team=cast.team_b, caseworker=cast.other_team_worker, opened_on=TODAY)
    with pytest.raises(CaseworkError, match="caseworker of the case's team"):
        case_create(user=cast.leader, team=cast.team_a, caseworker=cast.other_team_worker, opened_on=TODAY)
    assert not Case.objects.exists()


def test_reallocation_ends_the_current_allocation_and_starts_a_new_one(cast):
    case = _open(cast, opened_on=TODAY - dt.timedelta(days=30))
    case_reallocate(user=cast.leader, case=case, caseworker=cast.colleague, reason="Leave cover")
    case.refresh_from_db()
    assert case.caseworker == cast.colleague
    old, new = Allocation.objects.filter(case=case).order_by("id")
    assert (old.caseworker, old.ended_on) == (cast.worker, TODAY)
    assert (new.caseworker, new.started_on, new.ended_on, new.reason, new.allocated_by) == (
        cast.colleague, TODAY, None, "Leave cover", cast.leader)


def test_ending_an_allocation_is_kept_in_the_record_history(cast):
    case = _open(cast)
    case_reallocate(user=cast.leader, case=case, caseworker=cast.colleague, reason="Leave cover")
    first = Allocation.objects.filter(case=case).order_by("id").first()
    ended = first.history.filter(history_type="~").get()
    assert ended.ended_on == TODAY and ended.history_user == cast.leader


def test_reallocation_needs_a_reason(cast):
    case = _open(cast)
    with pytest.raises(CaseworkError, match="reason"):
        case_reallocate(user=cast.leader, case=case, caseworker=cast.colleague, reason="   ")
    assert Allocation.objects.filter(case=case).count() == 1


def test_a_team_leader_cannot_transfer_to_a_team_they_do_not_lead(cast):
    case = _open(cast)
    with pytest.raises(CaseworkError, match="team you lead"):
        case_reallocate(user=cast.leader, case=case, caseworker=cast.other_team_worker, team=cast.team_b,
                        reason="Moved office")
    case.refresh_from_db()
    assert case.team == cast.team_a and Allocation.objects.filter(case=case).count() == 1


def test_a_leader_of_both_teams_may_transfer_between_them(cast):
    case = _open(cast)
    cast.leader.led_teams.add(cast.team_b)
    case_reallocate(user=cast.leader, case=case, caseworker=cast.other_team_worker, team=cast.team_b,
                    reason="Family moved")
    case.refresh_from_db()
    assert (case.team, case.caseworker) == (cast.team_b, cast.other_team_worker)


def test_the_new_caseworker_must_belong_to_the_receiving_team(cast):
    case = _open(cast)
    with pytest.raises(CaseworkError, match="receiving team"):
        case_reallocate(user=cast.leader, case=case, caseworker=cast.support_officer, reason="Help")
    with pytest.raises(CaseworkError, match="already allocated"):
        case_reallocate(user=cast.leader, case=case, caseworker=cast.worker, reason="Again")


def test_a_caseworker_cannot_reallocate(cast):
    from django.core.exceptions import PermissionDenied

    case = _open(cast)
    with pytest.raises(PermissionDenied):
        case_reallocate(user=cast.worker, case=case, caseworker=cast.colleague, reason="Swap")


def test_service_writes_record_who_made_them_without_a_request(cast):
    case = _open(cast)
    case_update(user=cast.worker, case=case, lock_version=case.lock_version, phase="review")
    latest = case.history.order_by("-history_id").first()
    assert latest.history_user == cast.worker and latest.phase == "review"


# 07:45 in Brisbane is 21:45 the day before in UTC: a date taken in UTC is a day out there.
@pytest.mark.parametrize("hour", ["07:45", "15:30"])
def test_the_case_page_shows_who_changed_what_when_with_before_and_after(client, cast, hour):
    at = dt.datetime.combine(timezone.localdate(), dt.time.fromisoformat(hour), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(at, tick=True):
        _who_changed_what_when(client, cast)


def _who_changed_what_when(client, cast):
    case = make_family_case(cast.worker)
    client.force_login(cast.leader)
    response = client.post(f"/cases/{case.reference}/reallocate/",
                           {"caseworker": cast.colleague.pk, "reason": "Leave cover",
                            "on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    client.force_login(cast.worker)
    case.refresh_from_db()  # the page the worker opens now, after the reallocation
    response = client.post(f"/cases/{case.reference}/edit/", {"phase": "review", "substantiated_on": "",
                                                              "closed_on": "", "lock_version": case.lock_version})
    assert response.status_code == 302

    case_page = client.get(f"/cases/{case.reference}/").content.decode()
    assert f'hx-get="/cases/{case.reference}/history/"' in case_page  # read when "Record history" is opened
    history = client.get(f"/cases/{case.reference}/history/").context["history"]
    phase_change = next(h for h in history if h.record == "Case" and any("phase" in c for c in h.changes))
    assert phase_change.who == str(cast.worker)
    assert "phase: Case planning → Case plan review" in phase_change.changes
    assert timezone.localtime(phase_change.when).date() == timezone.localdate()
    moved = next(h for h in history if h.record == "Case" and any("caseworker" in c for c in h.changes))
    assert moved.who == str(cast.leader)
    assert f"caseworker: {cast.worker} → {cast.colleague}" in moved.changes

    for opened in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page of its own, and the part the case page loads
        html = client.get(f"/cases/{case.reference}/history/", **opened).content.decode()
        assert "phase: Case planning → Case plan review" in html
        assert f"caseworker: {cast.worker} → {cast.colleague}" in html
        assert ("<h1>Record history</h1>" in html) == (not opened)


def test_record_history_shows_the_newest_changes_of_a_long_history(cast):
    from cases.selectors import case_record_history

    case = make_family_case(cast.worker)
    for phase in ["review", "ongoing_intervention"] * 60:
        case_update(user=cast.worker, case=case, lock_version=case.lock_version, phase=phase)
    history = case_record_history(case, limit=20)
    assert len(history) == 20
    assert "phase: Case plan review → Ongoing intervention" in history[0].changes


def test_staff_roles_other_than_caseworker_are_not_allocated(cast):
    support = f.UserFactory(team=cast.team_a, role=Role.SUPPORT_OFFICER)
    with pytest.raises(CaseworkError):
        case_create(user=cast.leader, team=cast.team_a, caseworker=support, opened_on=TODAY)


def test_a_manager_transfers_a_case_between_teams_of_their_offices(cast):
    case = _open(cast)
    case_reallocate(user=cast.manager, case=case, caseworker=cast.other_team_worker, team=cast.team_b,
                    reason="Family moved across town")
    case.refresh_from_db()
    assert (case.team, case.caseworker) == (cast.team_b, cast.other_team_worker)
    assert Allocation.objects.get(case=case, ended_on__isnull=True).allocated_by == cast.manager


def test_a_manager_cannot_transfer_a_case_to_another_offices_team(cast):
    case = _open(cast)
    other_office_worker = f.UserFactory(team=cast.team_c)
    with pytest.raises(CaseworkError, match="team of your offices"):
        case_reallocate(user=cast.manager, case=case, caseworker=other_office_worker, team=cast.team_c,
                        reason="Moved interstate")
    case.refresh_from_db()
    assert case.team == cast.team_a


def test_nobody_reallocates_a_case_they_cannot_see(cast):
    from django.http import Http404

    case = _open(cast)
    with pytest.raises(Http404):
        case_reallocate(user=cast.other_office_manager, case=case, caseworker=cast.colleague, reason="x")
    with pytest.raises(Http404):
        case_reallocate(user=cast.other_team_leader, case=case, caseworker=cast.colleague, reason="x")


def test_a_reallocation_cannot_take_effect_before_the_current_allocation_or_in_the_future(cast):
    case = _open(cast, opened_on=TODAY - dt.timedelta(days=10))
    with pytest.raises(CaseworkError, match="before it"):
        case_reallocate(user=cast.leader, case=case, caseworker=cast.colleague, reason="Cover",
                        on=TODAY - dt.timedelta(days=11))
    with pytest.raises(CaseworkError, match="future"):
        case_reallocate(user=cast.leader, case=case, caseworker=cast.colleague, reason="Cover",
                        on=TODAY + dt.timedelta(days=1))
    assert Allocation.objects.filter(case=case).count() == 1
