"""A provider with an active referral is involved in implementing the case plan (and its
workers' face-to-face contacts then count toward the contact standard); communication
plans make provider updates fall due, and a missing update raises an alert."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertKind
from cases.models import Case
from cases.services import CaseworkError
from contacts import rules as contact_rules
from contacts.facts import load_month_facts
from services import services as svc
from services.models import CommunicationPlan
from services.selectors import provider_involvement
from services.tasks import provider_updates_check
from tests.services.conftest import make_referral

PROVIDER_NOT_INVOLVED = "The service provider was not involved in implementing the case plan on that date."


def _last_month():
    first_of_this = timezone.localdate().replace(day=1)
    return (first_of_this - dt.timedelta(days=1)).replace(day=1)


def _active_then_completed(case, service, user, started, ended=None):
    referral = make_referral(case, service, user, "accepted", on=started)
    referral = svc.referral_transition(user=user, referral=referral, to_status="active", on=started)
    if ended:
        referral = svc.referral_transition(user=user, referral=referral, to_status="completed", on=ended)
    return referral


def test_involvement_runs_from_the_day_active_to_the_day_completed(cast, family, directory):
    month = _last_month()
    start, end = month.replace(day=10), month.replace(day=20)
    _active_then_completed(family, directory["free"], cast.worker, start, end)
    provider = directory["free"].provider_id
    day = dt.timedelta(days=1)
    assert provider_involvement([family.pk], start - 5 * day, start - day) == {}
    assert provider_involvement([family.pk], start, start)[family.pk] == [(provider, start, end)]
    assert provider_involvement([family.pk], end, end)[family.pk] == [(provider, start, end)]
    assert provider_involvement([family.pk], end + day, end + 5 * day) == {}


def test_a_referral_still_active_is_open_ended_and_earlier_steps_do_not_count(cast, family, directory):
    month = _last_month()
    referral = _active_then_completed(family, directory["free"], cast.worker, month.replace(day=3))
    make_referral(family, directory["paid"], cast.worker, "draft")  # never active: never involved
    result = provider_involvement(Case.objects.filter(pk=family.pk).values("pk"), month, timezone.localdate())
    assert result == {family.pk: [(directory["free"].provider_id, referral.active_on, None)]}


def test_a_withdrawn_active_referral_ends_involvement_on_the_day_withdrawn(cast, family, directory):
    month = _last_month()
    referral = _active_then_completed(family, directory["free"], cast.worker, month.replace(day=3))
    svc.referral_transition(user=cast.worker, referral=referral, to_status="withdrawn", on=month.replace(day=8),
                            note="Family moved")
    assert provider_involvement([family.pk], month.replace(day=9), month.replace(day=28)) == {}
    assert provider_involvement([family.pk], month.replace(day=8), month.replace(day=8)) != {}


def test_a_provider_workers_visit_counts_toward_the_standard_only_while_the_referral_is_active(cast, family,
                                                                                              directory):
    from contacts.models import Contact, ContactParticipant

    month = _last_month()
    _active_then_completed(family, directory["free"], cast.worker, month.replace(day=10), month.replace(day=20))
    visits = {}
    for day in (5, 15, 25):
        when = timezone.make_aware(dt.datetime.combine(month.replace(day=day), dt.time(10)))
        visit = Contact.objects.create(case=family, occurred_at=when, kind="face_to_face", maker_role="provider",
                                       provider=directory["free"].provider, author=cast.worker, recorded_at=when)
        ContactParticipant.objects.bulk_create([ContactParticipant(contact=visit, member=m)
                                                for m in family.children + family.parents])
        visits[day] = visit.pk
    evaluation = contact_rules.evaluate(load_month_facts(Case.objects.filter(pk=family.pk), month)[family.pk])
    reasons = dict(evaluation.not_counted)
    assert PROVIDER_NOT_INVOLVED in reasons.get(visits[5], ())
    assert PROVIDER_NOT_INVOLVED not in reasons.get(visits[15], ())
    assert PROVIDER_NOT_INVOLVED in reasons.get(visits[25], ())


def test_involvement_for_many_cases_is_one_query(cast, cases, directory, django_assert_num_queries):
    for case in cases.values():
        _active_then_completed(case, directory["free"], case.caseworker, _last_month())
    with django_assert_num_queries(1):
        result = provider_involvement([c.pk for c in cases.values()], _last_month(), timezone.localdate())
    assert set(result) == {c.pk for c in cases.values()}


# --- Communication plan and updates ----------------------------------------------------------


def _plan(referral, user, every_days=14, started_on=None):
    return svc.communication_plan_save(user=user, referral=referral, provider_contact_name="Sam Intake",
                                       method="phone", every_days=every_days, started_on=started_on)


def test_a_communication_plan_is_agreed_once_the_provider_accepted(cast, family, directory):
    sent = make_referral(family, directory["free"], cast.worker, "sent")
    with pytest.raises(CaseworkError, match="accepted"):
        _plan(sent, cast.worker)
    active = make_referral(family, directory["free"], cast.worker, "active")
    with pytest.raises(CaseworkError, match="contact person"):
        svc.communication_plan_save(user=cast.worker, referral=active, provider_contact_name=" ", method="phone",
                                    every_days=14)
    with pytest.raises(CaseworkError, match="1 to 365"):
        svc.communication_plan_save(user=cast.worker, referral=active, provider_contact_name="Sam", method="phone",
                                    every_days=0)
    assert not CommunicationPlan.objects.exists()
    today = timezone.localdate()
    plan = _plan(active, cast.worker, started_on=today - dt.timedelta(days=3))
    assert plan.next_update_due == today + dt.timedelta(days=11)


def test_an_update_moves_the_next_due_date(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "active")
    today = timezone.localdate()
    _plan(referral, cast.worker, every_days=7, started_on=today - dt.timedelta(days=20))
    svc.provider_update_record(user=cast.worker, referral=referral, received_on=today - dt.timedelta(days=2),
                               method="phone", summary="Attended three sessions")
    assert CommunicationPlan.objects.get(referral=referral).next_update_due == today + dt.timedelta(days=5)
    with pytest.raises(CaseworkError, match="future"):
        svc.provider_update_record(user=cast.worker, referral=referral, received_on=today + dt.timedelta(days=1),
                                   method="phone", summary="x")
    with pytest.raises(CaseworkError, match="discussed"):
        svc.provider_update_record(user=cast.worker, referral=referral, received_on=today, method="phone",
                                   summary=" ")
    assert referral.provider_updates.count() == 1


def test_a_missing_update_raises_one_alert_to_the_caseworker_until_the_update_arrives(cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "active")
    today = timezone.localdate()
    _plan(referral, cast.worker, every_days=7, started_on=today - dt.timedelta(days=10))
    assert provider_updates_check() == 1
    assert provider_updates_check() == 1
    alert = Alert.objects.get(kind=AlertKind.PROVIDER_UPDATE_DUE)
    assert list(alert.recipients.all()) == [cast.worker]
    assert family.reference in alert.title
    assert not any(m.person.given_name in alert.title or m.person.family_name in alert.title
                   for m in family.children + family.parents)
    assert alert.due_on == today - dt.timedelta(days=3)
    svc.provider_update_record(user=cast.worker, referral=referral, received_on=today, method="email",
                               summary="Progress report received")
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert provider_updates_check() == 0


def test_no_update_alert_for_finished_referrals_or_closed_cases(cast, cases, directory):
    today = timezone.localdate()
    for key in ("own", "team"):
        referral = make_referral(cases[key], directory["free"], cases[key].caseworker, "active")
        _plan(referral, cases[key].caseworker, every_days=7, started_on=today - dt.timedelta(days=30))
        if key == "own":
            svc.referral_transition(user=cast.worker, referral=referral, to_status="completed")
        else:
            Case.objects.filter(pk=cases[key].pk).update(closed_on=today)
    assert provider_updates_check() == 0
    assert not Alert.objects.filter(kind=AlertKind.PROVIDER_UPDATE_DUE).exists()


def test_the_check_finds_due_work_set_based_in_batches(cast, cases, directory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    for case in cases.values():
        referral = make_referral(case, directory["free"], case.caseworker, "active")
        _plan(referral, case.caseworker, every_days=7, started_on=today - dt.timedelta(days=30))
    with CaptureQueriesContext(connection) as captured:
        assert svc.provider_updates_check(batch_size=3) == 4
    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and "alerts_" not in q["sql"]]
    # Two batches and one empty read; case, caseworker and provider come with each batch (no query per row).
    assert len(reads) == 3, reads
    assert Alert.objects.filter(kind=AlertKind.PROVIDER_UPDATE_DUE).count() == 4


def test_activating_a_referral_recomputes_the_stored_contact_evaluation_of_those_months(
        cast, family, directory, django_capture_on_commit_callbacks):
    from contacts.models import CaseMonth

    month = _last_month()
    referral = make_referral(family, directory["free"], cast.worker, "accepted", on=month.replace(day=2))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        svc.referral_transition(user=cast.worker, referral=referral, to_status="active", on=month.replace(day=3))
    assert callbacks, "a recompute is queued once the change commits"
    stored = set(CaseMonth.objects.filter(case=family).values_list("month", flat=True))
    assert {month, timezone.localdate().replace(day=1)} <= stored
