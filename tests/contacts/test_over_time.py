"""Results that stay true as the calendar moves: a change of a case's facts invalidates the
months it affects (through the one path, cases.extensions.facts_changed), a system
recompute never rewrites a closed month, and a closed month changes only by an explicit,
recorded amendment that its approver was shown first."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.services import CaseworkError, case_update, risk_assessment_record
from casework.dates import day_label
from contacts import rules
from contacts.models import CaseMonth, CaseMonthAmendment, PendingRecompute, RequirementChange
from contacts.recompute import case_months_recompute
from contacts.services import (
    requirement_change_decide,
    requirement_change_effects,
    requirement_change_request,
)
from contacts.tasks import recompute_case_months
from tests import factories as f
from tests.conftest import make_family_case


def months_ago(n: int) -> dt.date:
    return rules.add_months(timezone.localdate().replace(day=1), -n)


def stored(case, month):
    return CaseMonth.objects.filter(case=case, month=month).first()


def compute(case, *months):
    from cases.models import Case

    for month in months:
        case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=month)


def close(case, month):
    from cases.models import Case
    from contacts.compliance import month_freeze

    month_freeze(cases=Case.objects.filter(pk=case.pk), month=month)


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker, risk="high", children=1)


# --- Defect 3: closing a case (recorded later) ---------------------------------------------

def test_closing_a_case_with_a_past_date_removes_its_results_for_later_months(cast, family,
                                                                              django_capture_on_commit_callbacks):
    earlier, later = months_ago(2), months_ago(0)
    compute(family, earlier, months_ago(1), later)
    assert stored(family, later).status == "short" and stored(family, later).required_total > 0
    closed_on = earlier.replace(day=15)
    with django_capture_on_commit_callbacks(execute=True):
        case_update(user=cast.worker, case=family, lock_version=family.lock_version, closed_on=closed_on, phase="closed")
    # Not open in the last two months: nothing stored says it is short there.
    assert stored(family, later) is None and stored(family, months_ago(1)) is None
    assert stored(family, earlier) is not None
    assert not PendingRecompute.objects.filter(case=family).exists()


def test_a_closing_date_recorded_while_the_broker_is_down_is_caught_up_by_the_nightly_run(cast, family):
    from contacts.compliance import pending_recomputes_catch_up

    compute(family, months_ago(1), months_ago(0))
    case_update(user=cast.worker, case=family,
                lock_version=family.lock_version, closed_on=months_ago(1).replace(day=20), phase="closed")
    # Recorded in the same transaction as the change, for every month from the closing date on.
    assert set(PendingRecompute.objects.filter(case=family).values_list("month", flat=True)) == {
        months_ago(1), months_ago(0)}
    assert pending_recomputes_catch_up(older_than=dt.timedelta(0)) == 2
    assert stored(family, months_ago(0)) is None
    assert not PendingRecompute.objects.exists()


def test_a_back_dated_risk_assessment_invalidates_every_month_since(cast, family):
    risk_assessment_record(user=cast.worker, assessment=f.RiskAssessmentFactory.build(
        case=family, risk_level="low", completed_on=months_ago(2).replace(day=3)))
    assert set(PendingRecompute.objects.filter(case=family).values_list("month", flat=True)) == {
        months_ago(2), months_ago(1), months_ago(0)}


# --- Closed months are frozen ---------------------------------------------------------------

def test_a_system_recompute_leaves_a_closed_month_as_it_was_closed(cast, family):
    last = months_ago(1)
    compute(family, last)
    close(family, last)
    frozen = stored(family, last)
    # The facts change behind it (a lower risk level from before the month) ...
    f.RiskAssessmentFactory(case=family, risk_level="low", completed_on=rules.add_months(last, -1))
    compute(family, last)  # ... and the nightly run (nobody behind it) recomputes.
    after = stored(family, last)
    assert (after.status, after.required_total, after.risk_level) == (frozen.status, frozen.required_total,
                                                                      frozen.risk_level)
    assert after.amended_at is None and not CaseMonthAmendment.objects.exists()


def test_a_fact_change_by_a_person_does_not_amend_a_closed_month(cast, family, django_capture_on_commit_callbacks):
    last = months_ago(1)
    compute(family, last)
    close(family, last)
    with django_capture_on_commit_callbacks(execute=True):
        risk_assessment_record(user=cast.worker, assessment=f.RiskAssessmentFactory.build(
            case=family, risk_level="low", completed_on=rules.add_months(last, -1)))
    assert stored(family, last).risk_level == "high" and stored(family, last).amended_at is None


# --- Defect 4: a retroactive override ---------------------------------------------------------

def _override(cast, family, first, last, **counts):
    return requirement_change_request(user=cast.worker, case=family, kind="override", first_month=first,
                                      last_month=last, counts=counts or dict.fromkeys(rules.ADJUSTABLE, 0),
                                      reason="Family interstate for a funeral")


@pytest.fixture
def closed_short(cast, family):
    """Last month closed short (nothing recorded); this month open."""
    last = months_ago(1)
    compute(family, last, months_ago(0))
    close(family, last)
    assert stored(family, last).status == "short"
    return last


def test_the_approver_is_shown_the_closed_months_a_request_changes_and_must_confirm(cast, family, closed_short):
    change = _override(cast, family, closed_short, months_ago(0))
    effects = requirement_change_effects(change)
    assert [(e.month, e.as_closed["status"], e.would_become["status"], e.changes) for e in effects] == [
        (closed_short, "short", "met", True)]
    with pytest.raises(CaseworkError, match=f"changes closed months: {closed_short:%B %Y} from Short"):
        requirement_change_decide(user=cast.leader, change=change, approve=True)
    change.refresh_from_db()
    assert change.status == "pending" and stored(family, closed_short).status == "short"


def test_an_approved_amendment_is_recorded_with_who_when_why_and_before_and_after(cast, family, closed_short,
                                                                                  django_capture_on_commit_callbacks):
    change = _override(cast, family, closed_short, months_ago(0))
    with django_capture_on_commit_callbacks(execute=True):
        requirement_change_decide(user=cast.leader, change=change, approve=True, amend_closed=True)
    row = stored(family, closed_short)
    assert row.status == "met" and row.result_at_close["status"] == "short"
    amendment = CaseMonthAmendment.objects.get(case=family, month=closed_short)
    assert amendment.amended_by == cast.leader and "Family interstate" in amendment.reason
    assert amendment.result_before["status"] == "short" and amendment.result_after["status"] == "met"
    assert amendment.result_before["required_total"] == row.result_at_close["required_total"]
    # Recomputing the same month again for the same reason records nothing more.
    recompute_case_months(family.pk, [closed_short.isoformat()], cast.leader.pk, "again")
    assert CaseMonthAmendment.objects.filter(case=family).count() == 1


def test_the_month_page_drill_down_and_csv_show_as_closed_and_as_amended(cast, family, closed_short, signed_in,
                                                                         django_capture_on_commit_callbacks):
    change = _override(cast, family, closed_short, closed_short)
    with django_capture_on_commit_callbacks(execute=True):
        requirement_change_decide(user=cast.leader, change=change, approve=True, amend_closed=True)
    client = signed_in(cast.leader)
    page = client.get(f"/contacts/case/{family.reference}/month/{closed_short:%Y-%m}/").content.decode()
    assert "(as amended)" in page and "As closed:" in page and "Amendments after close" in page
    assert "Family interstate" in page
    drill = client.get(f"/contacts/dashboard/cases/?month={closed_short:%Y-%m}").content.decode()
    assert f"amended {timezone.localdate():%-d %b %Y}" in drill
    csv = client.get(f"/contacts/dashboard/cases/?month={closed_short:%Y-%m}&export=csv").content.decode()
    header, line = csv.splitlines()[:2]
    assert "Status as closed" in header
    assert line.split(",")[7] == "Met" and line.split(",")[10] == "Short"


def test_a_late_contact_in_a_closed_month_is_recorded_as_an_amendment(cast, family, closed_short,
                                                                      django_capture_on_commit_callbacks):
    from contacts.services import ContactInput, contact_record

    with django_capture_on_commit_callbacks(execute=True):
        contact_record(user=cast.worker, case=family, data=ContactInput(
            occurred_at=timezone.make_aware(dt.datetime.combine(closed_short.replace(day=9), dt.time(10))),
            kind="face_to_face", made_by=cast.worker, participants=family.children + family.parents,
            location="parent_residence", location_person=family.parents[0].person))
    amendment = CaseMonthAmendment.objects.get(case=family, month=closed_short)
    assert amendment.amended_by == cast.worker and amendment.reason.startswith(
        f"Contact of {day_label(closed_short.replace(day=9))} recorded on")
    assert amendment.result_after["achieved_total"] > amendment.result_before["achieved_total"]


def test_a_second_request_for_the_same_months_is_refused_naming_the_first(cast, family, closed_short):
    first = _override(cast, family, closed_short, months_ago(0))
    with pytest.raises(CaseworkError, match=r"Discretionary override .* requested by .* \(awaiting approval\), "
                                            r"already covers some of these months"):
        _override(cast, family, months_ago(0), rules.add_months(months_ago(0), 1))
    requirement_change_decide(user=cast.leader, change=first, approve=False, comment="Not unique")
    # A rejected request no longer stands in the way.
    assert _override(cast, family, months_ago(0), months_ago(0)).status == "pending"
    assert RequirementChange.objects.filter(case=family).count() == 2


def test_the_approvals_page_finds_closed_months_in_the_same_queries_however_many_requests(cast, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(cast.leader)

    def queries_with(n):
        for _ in range(n):
            _override(cast, make_family_case(cast.worker, risk="high", children=1), months_ago(0), months_ago(0))
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/contacts/approvals/").status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(4)


def test_the_worker_is_told_when_a_contact_amends_a_closed_month(cast, family, closed_short, signed_in,
                                                                 django_capture_on_commit_callbacks):
    from tests.contacts.conftest import visit_form

    client = signed_in(cast.worker)
    at_ten = timezone.make_aware(dt.datetime.combine(closed_short.replace(day=9), dt.time(10)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/contacts/case/{family.reference}/new/",
                               visit_form(family, when=timezone.localtime(at_ten)), follow=True)
    text = response.content.decode()
    assert f"{closed_short:%B %Y} had already closed: its result is amended by this contact" in text
    assert CaseMonthAmendment.objects.filter(case=family, month=closed_short).exists()

    on_time = client.post(f"/contacts/case/{family.reference}/new/", visit_form(family), follow=True)
    assert "had already closed" not in on_time.content.decode()


def test_a_month_explains_each_line_with_the_contacts_that_counted_and_those_that_did_not(cast, signed_in):
    from contacts.services import ContactInput, contact_record

    case = make_family_case(cast.worker, risk="high", children=1, parents=2)
    mother, father = case.parents
    this = months_ago(0)
    contact_record(user=cast.support_officer, case=case, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.support_officer,
        participants=case.children + case.parents, location="parent_residence", location_person=mother.person))
    compute(case, this)
    page = signed_in(cast.worker).get(f"/contacts/case/{case.reference}/month/{this:%Y-%m}/").content.decode()
    father_name = father.person.given_name
    child, mother_name = case.children[0].person.given_name, mother.person.given_name
    assert f"with {child}, {mother_name} and {father.person.given_name}" in page
    assert f"by {cast.support_officer}" in page
    assert f"Not at {father_name}&#x27;s residence." in page
    assert "Made by someone other than the caseworker." in page


def test_a_closed_short_month_says_short_by_and_closed(cast, family, closed_short, signed_in):
    page = signed_in(cast.worker).get(f"/contacts/case/{family.reference}/month/{closed_short:%Y-%m}/").content.decode()
    assert "(closed)" in page and "still needed" not in page
# --- Found by the agency simulation (manage.py simulate_agency) -----------------------------------

@pytest.fixture
def guardianship(cast):
    """A child under long-term guardianship to a suitable person (their carer), whose yearly
    visit with the guardian fell due months ago."""
    case = make_family_case(cast.worker, children=1, risk=None, opened_on=rules.add_months(months_ago(0), -14))
    child = case.children[0]
    case.guardian = f.MemberFactory(case=case, role="carer", joined_on=case.opened_on)
    child.legal_statuses.update(intervention_type="ltg_suitable_person")
    child.living_arrangements.update(kind="in_care", with_person=case.guardian.person)
    return case


def _fresh(case, month):
    from cases.models import Case
    from contacts.facts import load_month_facts
    from contacts.results import evaluation_json

    return evaluation_json(rules.evaluate(load_month_facts(Case.objects.filter(pk=case.pk), month)[case.pk]))


def test_a_late_visit_with_the_long_term_guardian_moves_the_due_date_in_the_months_after_it(
        cast, guardianship, django_capture_on_commit_callbacks):
    from contacts.results import stored_result
    from contacts.services import ContactInput, contact_record

    last, this = months_ago(1), months_ago(0)
    compute(guardianship, last, this)
    assert stored(guardianship, this).status == "short"  # the yearly visit is overdue
    visited = last.replace(day=10)
    with django_capture_on_commit_callbacks(execute=True):
        contact_record(user=cast.worker, case=guardianship, data=ContactInput(
            occurred_at=timezone.make_aware(dt.datetime.combine(visited, dt.time(10))), kind="face_to_face",
            made_by=cast.worker, participants=[guardianship.children[0], guardianship.guardian],
            location="child_living_environment"))
    # This month reads the visit last month: the next one is due a year after it.
    assert stored_result(stored(guardianship, this)) == _fresh(guardianship, this)
    # Not due this month: no requirement line (not "met"), and the notes give the next due date.
    row = stored(guardianship, this)
    assert not [line for line in row.lines if line["code"] == "f2f_with_guardian"]
    assert any(f"next due {day_label(rules.add_months(visited, 12))}" in note for note in row.notes)


def test_correcting_a_visit_with_the_long_term_guardian_updates_the_months_after_it(
        cast, guardianship, django_capture_on_commit_callbacks):
    from contacts.results import stored_result
    from contacts.services import ContactInput, contact_record, contact_update

    last, this = months_ago(1), months_ago(0)
    compute(guardianship, last, this)
    data = ContactInput(occurred_at=timezone.make_aware(dt.datetime.combine(last.replace(day=12), dt.time(10))),
                        kind="face_to_face", made_by=cast.worker, location="child_living_environment",
                        participants=[guardianship.children[0]])
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_record(user=cast.worker, case=guardianship, data=data)
    data.participants = [guardianship.children[0], guardianship.guardian]  # the guardian was there too
    with django_capture_on_commit_callbacks(execute=True):
        contact_update(user=cast.worker, contact=contact, data=data)
    assert stored_result(stored(guardianship, this)) == _fresh(guardianship, this)
    assert stored(guardianship, this).status != "short"


def test_a_member_leaving_invalidates_the_months_from_the_day_they_left_not_from_when_they_joined(cast, family):
    from cases.services import member_update

    parent = family.parents[0]
    assert parent.joined_on < months_ago(12)
    left_on = months_ago(1).replace(day=20)
    member_update(user=cast.worker, member=parent, lock_version=parent.lock_version, left_on=left_on)
    assert set(PendingRecompute.objects.filter(case=family).values_list("month", flat=True)) == {
        months_ago(1), months_ago(0)}


def test_correcting_the_day_a_member_joined_invalidates_from_the_earlier_of_the_two_days(cast, family):
    from cases.services import member_update

    child = family.children[0]
    member_update(user=cast.worker, member=child, lock_version=child.lock_version, joined_on=months_ago(2).replace(day=3))
    months = set(PendingRecompute.objects.filter(case=family).values_list("month", flat=True))
    assert min(months) == rules.month_start(family.opened_on) and max(months) == months_ago(0)


def _visits_meeting_the_standard(case, month, worker):
    """Enough contact in ``month`` for a high-risk in-home family of one child and one parent."""
    from contacts.models import Contact, ContactParticipant

    def at(day):
        return timezone.make_aware(dt.datetime.combine(month.replace(day=day), dt.time(10)))

    for day in (3, 10, 17, 24):
        visit = Contact.objects.create(case=case, occurred_at=at(day), kind="face_to_face", maker_role="caseworker",
                                       made_by=worker, author=worker, recorded_at=at(day),
                                       location="parent_residence", location_person=case.parents[0].person)
        ContactParticipant.objects.bulk_create([ContactParticipant(contact=visit, member=m)
                                                for m in case.children + case.parents])
        Contact.objects.create(case=case, occurred_at=at(day + 1), kind="support", maker_role="caseworker",
                               made_by=worker, author=worker, recorded_at=at(day + 1), other_party_name="Teacher")


def test_an_increase_approved_for_a_closed_month_that_makes_it_short_raises_its_shortfall_alert(
        cast, family, django_capture_on_commit_callbacks):
    from alerts.models import Alert

    last = months_ago(1)
    _visits_meeting_the_standard(family, last, cast.worker)
    compute(family, last)
    close(family, last)
    assert stored(family, last).status == "met" and not Alert.objects.filter(kind="contact_shortfall").exists()
    change = requirement_change_request(user=cast.worker, case=family, kind="increase", first_month=last,
                                        last_month=last, counts={"support": 6}, reason="New concerns from school")
    with django_capture_on_commit_callbacks(execute=True):
        requirement_change_decide(user=cast.leader, change=change, approve=True, amend_closed=True)
    assert stored(family, last).status == "short"
    alert = Alert.objects.get(kind="contact_shortfall", case=family, month=last)
    assert alert.status == "new" and alert.title == f"{family.reference}: contact shortfall in {last:%B %Y}"
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}


def test_a_closing_date_recorded_before_a_closed_month_removes_it_with_a_recorded_amendment(
        cast, family, django_capture_on_commit_callbacks):
    from alerts.models import Alert

    before, last, this = months_ago(2), months_ago(1), months_ago(0)
    compute(family, before, last, this)
    close(family, before)
    close(family, last)
    assert stored(family, last).status == "short"
    closed_on = before.replace(day=20)  # the case really closed two months ago; recorded only now
    with django_capture_on_commit_callbacks(execute=True):
        case_update(user=cast.worker, case=family, lock_version=family.lock_version, closed_on=closed_on, phase="closed")
    # Last month was not the case's at all: its frozen "short" and its alert are gone, with a record of why.
    assert stored(family, last) is None and stored(family, this) is None
    amendment = CaseMonthAmendment.objects.get(case=family, month=last)
    assert amendment.amended_by == cast.worker and amendment.result_before["status"] == "short"
    assert amendment.result_after["not_assessable_reason"] == "The case was not open during this month."
    assert Alert.objects.get(kind="contact_shortfall", month=last).status == "resolved"
    # The month it closed in was open in part: it stays as it was closed.
    assert stored(family, before).closed_at is not None and not CaseMonthAmendment.objects.filter(month=before)
    assert Alert.objects.get(kind="contact_shortfall", month=before).status == "new"


def test_the_nightly_run_never_removes_a_closed_month(cast, family):
    last = months_ago(1)
    compute(family, last)
    close(family, last)
    from cases.models import Case

    Case.objects.filter(pk=family.pk).update(closed_on=months_ago(2).replace(day=20), phase="closed")
    compute(family, last)  # by the system, nobody behind it
    assert stored(family, last).closed_at is not None and not CaseMonthAmendment.objects.exists()


def test_a_closing_date_recorded_before_an_open_month_resolves_that_months_warnings(
        cast, django_capture_on_commit_callbacks):
    from alerts.models import Alert
    from cases.models import Case
    from contacts.compliance import warnings_refresh

    family = make_family_case(cast.worker, risk=None, children=1)
    last, this = months_ago(1), months_ago(0)
    compute(family, last, this)
    warnings_refresh(cases=Case.objects.filter(pk=family.pk), month=this)
    warning = Alert.objects.get(kind="risk_level_missing", month=this)
    assert warning.status == "new"
    with django_capture_on_commit_callbacks(execute=True):
        case_update(user=cast.worker, case=family, lock_version=family.lock_version,
                    closed_on=last.replace(day=20), phase="closed")
    # The case was not open this month: no result, and no warning left asking for work on it.
    assert stored(family, this) is None
    warning.refresh_from_db()
    assert warning.status == "resolved"
