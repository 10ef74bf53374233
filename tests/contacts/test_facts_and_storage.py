"""Loading a month's facts from the database and storing the evaluation: month bounds in
the agency time zone, facts in force on the 1st, risk level timing, fixed query counts."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from contacts import rules
from contacts.facts import load_month_facts
from contacts.models import CaseMonth
from contacts.recompute import case_months_recompute
from contacts.services import ContactInput, contact_record
from tests import factories as f
from tests.conftest import make_family_case

MARCH = dt.date(2026, 3, 1)


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _store_contact(case, when, **extra):
    from contacts.models import Contact, ContactParticipant

    contact = Contact.objects.create(case=case, occurred_at=when, kind=extra.pop("kind", "face_to_face"),
                                     maker_role=extra.pop("maker_role", "caseworker"), made_by=case.caseworker,
                                     author=case.caseworker, recorded_at=when, **extra)
    ContactParticipant.objects.bulk_create([ContactParticipant(contact=contact, member=m)
                                            for m in case.children + case.parents])
    return contact


def test_month_boundaries_follow_the_agency_time_zone(cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1))
    late_on_the_31st = _store_contact(case, _at(dt.date(2026, 3, 31), 23, 30))  # 13:30 UTC on the 31st
    early_on_the_1st = _store_contact(case, _at(dt.date(2026, 4, 1), 0, 30))  # 14:30 UTC on the 31st
    march = load_month_facts(Case.objects.filter(pk=case.pk), MARCH)[case.pk]
    april = load_month_facts(Case.objects.filter(pk=case.pk), dt.date(2026, 4, 1))[case.pk]
    assert [c.contact_id for c in march.contacts] == [late_on_the_31st.pk]
    assert [c.contact_id for c in april.contacts] == [early_on_the_1st.pk]


def test_case_type_comes_from_the_facts_in_force_on_the_first(cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1), children=1)
    child = case.children[0]
    carer = f.MemberFactory(case=case, role="carer").person
    child.living_arrangements.update(effective_to=dt.date(2026, 3, 14))
    f.LivingArrangementFactory(member=child, kind="in_care", with_person=carer, effective_from=dt.date(2026, 3, 15))
    child.goals.update(effective_to=dt.date(2026, 3, 14))
    f.ChildGoalFactory(member=child, goal="reunification", effective_from=dt.date(2026, 3, 15))
    march = rules.evaluate(load_month_facts(Case.objects.filter(pk=case.pk), MARCH)[case.pk])
    april = rules.evaluate(load_month_facts(Case.objects.filter(pk=case.pk), dt.date(2026, 4, 1))[case.pk])
    assert march.case_type == rules.IN_HOME
    assert april.case_type == rules.REUNIFICATION


def test_a_new_risk_assessment_takes_effect_from_the_next_month(cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1), risk="low")
    f.RiskAssessmentFactory(case=case, tool="frre", risk_level="high", completed_on=dt.date(2026, 3, 10))
    f.RiskAssessmentFactory(case=case, tool="safety", risk_level="moderate", completed_on=dt.date(2026, 2, 10))
    cases = Case.objects.filter(pk=case.pk)
    assert load_month_facts(cases, MARCH)[case.pk].risk_level == "low"
    assert load_month_facts(cases, dt.date(2026, 4, 1))[case.pk].risk_level == "high"


def test_provider_involvement_periods_reach_the_rules(cast, monkeypatch):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1))
    asked = {}

    def involvement(case_ids, start, end):
        asked["window"] = (start, end)
        return {case.pk: [(7, dt.date(2026, 3, 10), None)]}

    monkeypatch.setattr("contacts.facts.provider_involvement", involvement)
    facts = load_month_facts(Case.objects.filter(pk=case.pk), MARCH)[case.pk]
    assert asked["window"] == (MARCH, dt.date(2026, 3, 31))
    assert facts.involved_providers == ((7, dt.date(2026, 3, 10), None),)


def test_loading_and_storing_take_the_same_number_of_queries_for_3_or_12_cases(cast):
    def queries_for(count):
        for _ in range(count):
            case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1))
            _store_contact(case, _at(dt.date(2026, 3, 5), 10))
        with CaptureQueriesContext(connection) as captured:
            case_months_recompute(cases=Case.objects.all(), month=MARCH)
        return len(captured)

    small = queries_for(3)
    CaseMonth.objects.all().delete()
    assert queries_for(9) == small
    assert CaseMonth.objects.filter(month=MARCH).count() == 12


def test_recompute_is_idempotent_one_row_per_case_month(cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1))
    cases = Case.objects.filter(pk=case.pk)
    case_months_recompute(cases=cases, month=MARCH)
    case_months_recompute(cases=cases, month=MARCH)
    assert CaseMonth.objects.filter(case=case).count() == 1


def test_a_late_contact_amends_a_closed_month_and_keeps_the_frozen_result(cast, django_capture_on_commit_callbacks):
    case = make_family_case(cast.worker, risk="low", children=1)
    last_month = rules.add_months(timezone.localdate().replace(day=1), -1)
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=last_month)
    frozen = CaseMonth.objects.get(case=case, month=last_month)
    assert frozen.status == "short"
    CaseMonth.objects.filter(pk=frozen.pk).update(closed_at=timezone.now(), result_at_close={"status": "short"})
    with django_capture_on_commit_callbacks(execute=True):
        contact_record(user=cast.worker, case=case, data=ContactInput(
            occurred_at=_at(last_month + dt.timedelta(days=3), 10), kind="face_to_face", made_by=cast.worker,
            participants=case.children + case.parents, location="parent_residence",
            location_person=case.parents[0].person))
    frozen.refresh_from_db()
    assert frozen.amended_at is not None and frozen.amended_by == cast.worker
    assert frozen.result_at_close == {"status": "short"}
    child_line = next(line for line in frozen.lines if line["code"] == "f2f" and line["role"] == "child")
    assert child_line["achieved"] == 1


def test_last_visit_with_child_and_guardian_is_found_for_long_term_guardianship(cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2024, 1, 1), children=1, risk=None)
    child = case.children[0]
    guardian = f.MemberFactory(case=case, role="carer", joined_on=dt.date(2024, 1, 1))
    child.legal_statuses.update(intervention_type="ltg_suitable_person")
    child.living_arrangements.update(kind="in_care", with_person=guardian.person)
    from contacts.models import Contact, ContactParticipant

    def visit(day, members):
        contact = Contact.objects.create(case=case, occurred_at=_at(day, 10), kind="face_to_face",
                                         maker_role="caseworker", made_by=cast.worker, author=cast.worker,
                                         recorded_at=_at(day, 12))
        ContactParticipant.objects.bulk_create([ContactParticipant(contact=contact, member=m) for m in members])

    visit(dt.date(2025, 2, 10), [child, guardian])
    visit(dt.date(2025, 5, 10), [child])  # the guardian was not there: does not reset the clock
    facts = load_month_facts(Case.objects.filter(pk=case.pk), MARCH)[case.pk]
    assert facts.last_guardian_contact == {child.pk: dt.date(2025, 2, 10)}
    line = next(line for line in rules.evaluate(facts).lines if line.code == "f2f_with_guardian")
    assert line.due_on == dt.date(2026, 2, 10) and line.status == "short by 1"
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=MARCH)
    stored = next(line for line in CaseMonth.objects.get(case=case, month=MARCH).lines
                  if line["code"] == "f2f_with_guardian")
    assert stored["due_on"] == "2026-02-10" and stored["required"] == 1 and stored["achieved"] == 0


def test_the_stored_row_holds_every_line_and_the_reason_a_contact_did_not_count(cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 1, 1), risk="low", children=1)
    child = case.children[0]
    visit = _store_contact(case, _at(dt.date(2026, 3, 5), 10))
    call = _store_contact(case, _at(dt.date(2026, 3, 6), 10), kind="other", mode="phone")
    cases = Case.objects.filter(pk=case.pk)
    case_months_recompute(cases=cases, month=MARCH)
    row = CaseMonth.objects.get(case=case, month=MARCH)
    seen = next(line for line in row.lines if line["code"] == "f2f" and line["member_id"] == child.pk)
    assert seen == {"code": "f2f", "description": f"Face-to-face with {child.person.given_name}", "member_id": child.pk,
                    "person_name": child.person.given_name, "role": "child", "required": 1, "achieved": 1,
                    "counted": [visit.pk], "due_on": None, "standard": None, "missed": []}
    assert row.not_counted == [[call.pk, ["Telephone, video and attempted visits do not count as face-to-face contact."]]]
    assert row.status == "short" and row.case_type == "in_home" and row.risk_level == "low" and row.adjustment is None

    second = _store_contact(case, _at(dt.date(2026, 3, 20), 10))
    case_months_recompute(cases=cases, month=MARCH)
    row.refresh_from_db()
    seen = next(line for line in row.lines if line["code"] == "f2f" and line["member_id"] == child.pk)
    assert seen["counted"] == [visit.pk, second.pk] and seen["achieved"] == 2
    assert CaseMonth.objects.filter(case=case).count() == 1
