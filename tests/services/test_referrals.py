"""The referral workflow through the services: every step and refusal, cost approval,
self-referral, unable to accept, information to the family, closure of the case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import Alert, AlertKind
from cases.services import CaseworkError
from contacts.models import Contact, ContactKind
from services import rules
from services import services as svc
from services.models import CostApproval, Referral, ReferralStatusChange
from tests.services.conftest import grant_delegate, make_referral

TODAY = timezone.localdate


def _snapshot(referral):
    referral = Referral.objects.get(pk=referral.pk)
    return (referral.status, referral.active_on, referral.ended_on, referral.unable_note,
            referral.alternatives_considered, referral.status_changes.count())


def test_a_referral_starts_as_a_draft_with_its_first_change_on_record(cast, family, directory):
    referral = svc.referral_create(user=cast.worker, case=family, service=directory["free"],
                                   people=[family.parents[0], family.children[0]], reason="Parenting support")
    assert referral.status == rules.DRAFT
    assert set(referral.people.all()) == {family.parents[0], family.children[0]}
    [change] = referral.status_changes.all()
    assert (change.from_status, change.to_status, change.changed_by, change.on) == ("", "draft", cast.worker, TODAY())


def test_the_whole_path_to_completed_is_dated_and_signed(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker)
    day = TODAY() - dt.timedelta(days=10)
    for status in ["sent", "accepted", "active", "completed"]:
        referral = svc.referral_transition(user=cast.worker, referral=referral, to_status=status, on=day)
        day += dt.timedelta(days=2)
    changes = list(referral.status_changes.order_by("id").values_list("from_status", "to_status", "on", "changed_by"))
    assert [c[:2] for c in changes] == [("", "draft"), ("draft", "sent"), ("sent", "accepted"),
                                        ("accepted", "active"), ("active", "completed")]
    assert all(c[3] == cast.worker.pk for c in changes)
    assert referral.active_on == TODAY() - dt.timedelta(days=6)
    assert referral.ended_on == TODAY() - dt.timedelta(days=4)


@pytest.mark.parametrize("start", list(rules.TRANSITIONS))
def test_every_step_outside_the_table_is_refused_and_changes_nothing(cast, family, directory, start):
    referral = make_referral(family, directory["free"], cast.worker, start)
    before = _snapshot(referral)
    for target in rules.STATUS_LABELS:
        if target in rules.TRANSITIONS[start]:
            continue
        with pytest.raises(CaseworkError) as error:
            svc.referral_transition(user=cast.worker, referral=referral, to_status=target, note="n",
                                    alternatives="a")
        assert "cannot" in str(error.value)
        assert _snapshot(referral) == before


@pytest.mark.parametrize("start,target", [(s, t) for s, targets in rules.TRANSITIONS.items() for t in targets])
def test_every_step_in_the_table_works(cast, family, directory, start, target):
    referral = make_referral(family, directory["free"], cast.worker, start)
    referral = svc.referral_transition(user=cast.worker, referral=referral, to_status=target, note="Reason",
                                       alternatives="Other services")
    assert Referral.objects.get(pk=referral.pk).status == target
    assert referral.status_changes.order_by("-id").first().to_status == target


def test_a_step_cannot_be_dated_in_the_future_or_before_the_last_one(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "sent")
    with pytest.raises(CaseworkError, match="future"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="accepted",
                                on=TODAY() + dt.timedelta(days=1))
    with pytest.raises(CaseworkError, match="previous change"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="accepted",
                                on=TODAY() - dt.timedelta(days=1))
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_only_current_members_of_the_case_can_be_referred(cast, cases, directory):
    own, other = cases["own"], cases["team"]
    with pytest.raises(CaseworkError, match="members of this case"):
        svc.referral_create(user=cast.worker, case=own, service=directory["free"], people=[other.parents[0]],
                            reason="x")
    left = own.parents[0]
    left.left_on = TODAY()
    left.save()
    with pytest.raises(CaseworkError, match="members of this case"):
        svc.referral_create(user=cast.worker, case=own, service=directory["free"], people=[left], reason="x")
    with pytest.raises(CaseworkError, match="at least one"):
        svc.referral_create(user=cast.worker, case=own, service=directory["free"], people=[], reason="x")
    assert not Referral.objects.exists()


def test_a_reason_is_required_and_inactive_services_cannot_be_chosen(cast, family, directory):
    with pytest.raises(CaseworkError, match="reason"):
        svc.referral_create(user=cast.worker, case=family, service=directory["free"], people=family.parents,
                            reason="  ")
    directory["free"].active = False
    directory["free"].save()
    with pytest.raises(CaseworkError, match="no longer offered"):
        svc.referral_create(user=cast.worker, case=family, service=directory["free"], people=family.parents,
                            reason="Need")
    assert not Referral.objects.exists()


def test_a_self_referral_names_the_parent_and_the_support_given(cast, family, directory):
    parent = family.parents[0]
    with pytest.raises(CaseworkError, match="support given"):
        svc.referral_create(user=cast.worker, case=family, service=directory["free"], people=[parent], reason="r",
                            self_referral=True, self_referred_by=parent)
    with pytest.raises(CaseworkError, match="a parent"):
        svc.referral_create(user=cast.worker, case=family, service=directory["free"], people=[parent], reason="r",
                            self_referral=True, self_referred_by=family.children[0], support_given="Helped")
    referral = svc.referral_create(user=cast.worker, case=family, service=directory["free"], people=[parent],
                                   reason="r", self_referral=True, self_referred_by=parent,
                                   support_given="Sat with her while she phoned intake")
    assert referral.self_referral and referral.self_referred_by == parent
    assert referral.support_given == "Sat with her while she phoned intake"


def test_a_draft_can_be_changed_but_a_sent_referral_cannot(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker)
    svc.referral_update(user=cast.worker, referral=referral, lock_version=referral.lock_version, reason="New reason",
                        people=family.children)
    referral.refresh_from_db()
    assert referral.reason == "New reason" and set(referral.people.all()) == set(family.children)
    svc.referral_transition(user=cast.worker, referral=referral, to_status="sent")
    with pytest.raises(CaseworkError, match="Only a draft"):
        svc.referral_update(user=cast.worker, referral=referral, lock_version=referral.lock_version, reason="Changed later")
    assert Referral.objects.get(pk=referral.pk).reason == "New reason"


# --- Cost ------------------------------------------------------------------------------------


def test_a_paid_service_is_not_sent_before_the_payment_is_approved(cast, family, directory, delegate):
    referral = make_referral(family, directory["paid"], cast.worker)
    with pytest.raises(CaseworkError, match="financial delegate"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="sent")
    approval = svc.referral_cost_request(user=cast.worker, referral=referral, cost_per_session=Decimal("120"),
                                         sessions=6, payment_method="purchase_order")
    assert approval.total == Decimal("720.00") and approval.status == "pending"
    with pytest.raises(CaseworkError, match="waiting"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="sent")
    svc.referral_cost_decide(user=delegate, approval=approval, approve=True, comment="Within budget")
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.comment) == ("approved", delegate, "Within budget")
    svc.referral_transition(user=cast.worker, referral=referral, to_status="sent")
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_nobody_approves_a_payment_they_asked_for(cast, family, directory):
    leader = grant_delegate(cast.leader)
    referral = make_referral(family, directory["paid"], cast.worker)
    approval = svc.referral_cost_request(user=leader, referral=referral, cost_per_session=Decimal("120"), sessions=2,
                                         payment_method="invoice")
    with pytest.raises(CaseworkError, match="cannot approve"):
        svc.referral_cost_decide(user=leader, approval=approval, approve=True)
    assert CostApproval.objects.get(pk=approval.pk).status == "pending"


def test_the_maker_of_the_referral_cannot_approve_its_payment(cast, family, directory):
    worker = grant_delegate(cast.worker)
    referral = make_referral(family, directory["paid"], worker)
    approval = svc.referral_cost_request(user=cast.colleague, referral=referral, cost_per_session=Decimal("120"),
                                         sessions=2, payment_method="invoice")
    with pytest.raises(CaseworkError, match="cannot approve"):
        svc.referral_cost_decide(user=worker, approval=approval, approve=True)


def test_the_database_also_refuses_self_approval(cast, family, directory, delegate):
    referral = make_referral(family, directory["paid"], cast.worker)
    approval = CostApproval.objects.create(referral=referral, cost_per_session=1, sessions=1, total=1,
                                           payment_method="invoice", requested_by=delegate)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostApproval.objects.filter(pk=approval.pk).update(status="approved", decided_by=delegate,
                                                           decided_at=timezone.now())


def test_only_financial_delegates_who_see_the_case_decide(cast, cases, directory, delegate):
    referral = make_referral(cases["own"], directory["paid"], cast.worker)
    approval = svc.referral_cost_request(user=cast.worker, referral=referral, cost_per_session=Decimal("120"),
                                         sessions=2, payment_method="invoice")
    with pytest.raises(CaseworkError, match="Only a financial delegate"):
        svc.referral_cost_decide(user=cast.leader, approval=approval, approve=True)
    outsider = grant_delegate(cast.other_office_manager)
    from django.http import Http404

    with pytest.raises(Http404):
        svc.referral_cost_decide(user=outsider, approval=approval, approve=True)
    assert CostApproval.objects.get(pk=approval.pk).status == "pending"


def test_a_declined_payment_needs_a_comment_and_can_be_asked_again(cast, family, directory, delegate):
    referral = make_referral(family, directory["paid"], cast.worker)
    approval = svc.referral_cost_request(user=cast.worker, referral=referral, cost_per_session=Decimal("120"),
                                         sessions=20, payment_method="invoice")
    with pytest.raises(CaseworkError, match="reason for declining"):
        svc.referral_cost_decide(user=delegate, approval=approval, approve=False, comment="")
    svc.referral_cost_decide(user=delegate, approval=approval, approve=False, comment="Twenty is too many")
    with pytest.raises(CaseworkError, match="declined"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="sent")
    with pytest.raises(CaseworkError, match="already been decided"):
        svc.referral_cost_decide(user=delegate, approval=approval, approve=True)
    again = svc.referral_cost_request(user=cast.worker, referral=referral, cost_per_session=Decimal("120"),
                                      sessions=6, payment_method="invoice")
    svc.referral_cost_decide(user=delegate, approval=again, approve=True)
    svc.referral_transition(user=cast.worker, referral=referral, to_status="sent")


def test_cost_requests_refused_for_free_services_twice_or_after_sending(cast, family, directory, delegate):
    free = make_referral(family, directory["free"], cast.worker)
    with pytest.raises(CaseworkError, match="free"):
        svc.referral_cost_request(user=cast.worker, referral=free, cost_per_session=Decimal("10"), sessions=1,
                                  payment_method="invoice")
    paid = make_referral(family, directory["paid"], cast.worker)
    svc.referral_cost_request(user=cast.worker, referral=paid, cost_per_session=Decimal("120"), sessions=1,
                              payment_method="invoice")
    with pytest.raises(CaseworkError, match="already waiting"):
        svc.referral_cost_request(user=cast.worker, referral=paid, cost_per_session=Decimal("120"), sessions=1,
                                  payment_method="invoice")
    with pytest.raises(CaseworkError, match="more than zero"):
        svc.referral_cost_request(user=cast.worker, referral=make_referral(family, directory["paid"], cast.worker),
                                  cost_per_session=Decimal("0"), sessions=1, payment_method="invoice")
    assert CostApproval.objects.count() == 1


def test_asking_for_approval_alerts_the_delegates_who_see_the_case_and_the_decision_alerts_back(
        cast, family, directory, delegate):
    outsider = grant_delegate(cast.other_office_manager)
    referral = make_referral(family, directory["paid"], cast.worker)
    approval = svc.referral_cost_request(user=cast.worker, referral=referral, cost_per_session=Decimal("120"),
                                         sessions=6, payment_method="invoice")
    alert = Alert.objects.get(kind=AlertKind.APPROVAL_PENDING)
    assert set(alert.recipients.all()) == {delegate}
    assert outsider not in alert.recipients.all()
    assert family.reference in alert.title
    assert not any(m.person.given_name in alert.title or m.person.family_name in alert.title
                   for m in family.children + family.parents)
    svc.referral_cost_decide(user=delegate, approval=approval, approve=True)
    alert.refresh_from_db()
    assert alert.status == "resolved"
    decided = Alert.objects.get(kind=AlertKind.REFERRAL)
    assert cast.worker in decided.recipients.all() and "approved" in decided.title


# --- Unable to accept ------------------------------------------------------------------------


def test_unable_to_accept_records_a_case_note_in_the_timeline(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "sent")
    with pytest.raises(CaseworkError, match="case note"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="unable_to_accept", note="")
    svc.referral_transition(user=cast.worker, referral=referral, to_status="unable_to_accept",
                            note="Waiting list closed until next year")
    referral.refresh_from_db()
    assert referral.unable_note == "Waiting list closed until next year"
    note = Contact.objects.get(case=family, kind=ContactKind.NOTE)
    assert "Waiting list closed" in note.observations and str(directory["free"].provider) in note.purpose


def test_a_referral_not_accepted_closes_only_with_the_alternatives_considered(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "unable_to_accept")
    Referral.objects.filter(pk=referral.pk).update(alternatives_considered="")
    with pytest.raises(CaseworkError, match="alternatives"):
        svc.referral_transition(user=cast.worker, referral=referral, to_status="closed")
    assert Referral.objects.get(pk=referral.pk).status == "unable_to_accept"
    with pytest.raises(CaseworkError, match="alternatives"):
        svc.referral_alternatives_record(user=cast.worker, referral=referral, alternatives=" ")
    svc.referral_alternatives_record(user=cast.worker, referral=referral,
                                     alternatives="Ironbark parenting group; discussed with mother")
    svc.referral_transition(user=cast.worker, referral=referral, to_status="closed")
    assert Referral.objects.get(pk=referral.pk).status == "closed"


# --- Information to the family ---------------------------------------------------------------


def test_information_given_to_the_family_is_recorded_for_members_only(cast, cases, directory):
    case = cases["own"]
    referral = make_referral(case, directory["free"], cast.worker, "sent")
    info = svc.family_information_record(user=cast.worker, referral=referral, given_to=[case.parents[0]],
                                         given_on=TODAY(), method="in_person",
                                         details="Tuesdays 10am at the hub; bring the letter")
    assert list(info.given_to.all()) == [case.parents[0]]
    with pytest.raises(CaseworkError, match="members of this case"):
        svc.family_information_record(user=cast.worker, referral=referral, given_to=[cases["team"].parents[0]],
                                      given_on=TODAY(), method="phone", details="x")
    with pytest.raises(CaseworkError, match="future"):
        svc.family_information_record(user=cast.worker, referral=referral, given_to=[case.parents[0]],
                                      given_on=TODAY() + dt.timedelta(days=1), method="phone", details="x")
    assert referral.family_information.count() == 1


# --- Access in the services --------------------------------------------------------------------


def test_people_who_may_not_edit_the_case_cannot_refer(cast, cases, directory):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        svc.referral_create(user=cast.manager, case=cases["own"], service=directory["free"],
                            people=[cases["own"].parents[0]], reason="x")
    with pytest.raises(Http404):
        svc.referral_create(user=cast.other_team_worker, case=cases["own"], service=directory["free"],
                            people=[cases["own"].parents[0]], reason="x")
    referral = make_referral(cases["own"], directory["free"], cast.worker)
    with pytest.raises(Http404):
        svc.referral_transition(user=cast.other_team_worker, referral=referral, to_status="sent")
    assert Referral.objects.get(pk=referral.pk).status == "draft"


# --- Case closure ------------------------------------------------------------------------------


def test_closing_a_case_ends_every_open_referral(cast, family, directory):
    made = {status: make_referral(family, directory["free"], cast.worker, status)
            for status in ["draft", "sent", "accepted", "active", "unable_to_accept", "completed"]}
    Referral.objects.filter(pk=made["unable_to_accept"].pk).update(alternatives_considered="")
    assert svc.referrals_end_for_case_closure(user=cast.worker, case=family, reason="Goals achieved") == 5
    statuses = {k: Referral.objects.get(pk=r.pk) for k, r in made.items()}
    assert {k: r.status for k, r in statuses.items()} == {
        "draft": "withdrawn", "sent": "withdrawn", "accepted": "withdrawn", "active": "withdrawn",
        "unable_to_accept": "closed", "completed": "completed"}
    assert statuses["active"].ended_on == TODAY()
    last = statuses["sent"].status_changes.order_by("-id").first()
    assert last.note == "Case closed: Goals achieved" and last.changed_by == cast.worker
    assert svc.referrals_end_for_case_closure(user=cast.worker, case=family, reason="Again") == 0


def test_case_closure_works_after_the_case_is_marked_closed(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "active")
    family.closed_on = TODAY()
    family.save()
    assert svc.referrals_end_for_case_closure(user=cast.worker, case=family, reason="Closed") == 1
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"


def test_case_closure_needs_a_reason_and_sight_of_the_case(cast, cases, directory):
    make_referral(cases["own"], directory["free"], cast.worker, "sent")
    with pytest.raises(CaseworkError, match="reason"):
        svc.referrals_end_for_case_closure(user=cast.worker, case=cases["own"], reason=" ")
    with pytest.raises(CaseworkError, match="No such case"):
        svc.referrals_end_for_case_closure(user=cast.other_team_worker, case=cases["own"], reason="Closed")
    assert Referral.objects.filter(status="sent").count() == 1


def test_status_changes_are_kept_even_if_someone_tries_to_delete_a_referral(cast, family, directory):
    from django.db.models import ProtectedError

    referral = make_referral(family, directory["free"], cast.worker, "sent")
    with pytest.raises(ProtectedError):
        referral.delete()
    assert ReferralStatusChange.objects.filter(referral=referral).count() == 2


def test_support_officers_and_team_leaders_may_refer(cast, family, directory):
    for user in (cast.support_officer, cast.leader):
        referral = svc.referral_create(user=user, case=family, service=directory["free"], people=family.parents,
                                       reason="Need")
        assert referral.created_by == user
