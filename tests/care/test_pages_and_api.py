"""Pages and endpoints of family time, concurrent planning and cultural support plans: each tried
by the whole cast (invisible → 404, visible but not allowed → 403), bad input on every form and
endpoint (a clear message, nothing saved), and the list pages' query counts."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from care import services
from care.models import (
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeReview,
    FamilyTimeSession,
    FamilyTimeStage,
)
from caseplans import services as plan_services
from caseplans.models import ReunificationPrognosis
from cases.models import Person
from tests.care.conftest import arrange, put_in_care, staged
from tests.caseplans.conftest import endorsed_plan
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

CAST = ["worker", "colleague", "other_team_worker", "leader", "other_team_leader", "manager",
        "other_office_manager", "support_officer", "administrator"]
READ = {"worker": 200, "colleague": 200, "other_team_worker": 404, "leader": 200, "other_team_leader": 404,
        "manager": 200, "other_office_manager": 404, "support_officer": 200, "administrator": 404}
WRITE = {**READ, "manager": 403}
DECIDE = {who: 404 if code == 404 else 403 for who, code in READ.items()} | {"leader": 200}


@pytest.fixture
def family_time(in_care, cast):
    arrangement = staged(arrange(in_care.children[0], cast.worker), cast.worker)
    progression = services.progression_request(user=cast.worker, arrangement=arrangement, rationale="Going well")
    return arrangement, progression


@pytest.mark.parametrize("who", CAST)
def test_pages_answer_each_member_of_the_cast(signed_in, cast, in_care, family_time, who):
    arrangement, progression = family_time
    client = signed_in(getattr(cast, who))
    child = in_care.children[0]
    assert client.get(arrangement.get_absolute_url()).status_code == READ[who]
    for name in ("care:stage_add", "care:progression_request", "care:session_record", "care:review_record"):
        assert client.get(reverse(name, args=[arrangement.pk])).status_code == WRITE[who], name
    assert client.get(reverse("care:progression_decide", args=[progression.pk])).status_code == DECIDE[who]
    assert client.get(reverse("care:family_time_create", args=[in_care.reference, child.pk])).status_code == WRITE[who]
    assert client.get(reverse("care:cultural_plan", args=[in_care.reference, child.pk])).status_code == READ[who]
    assert client.get(reverse("care:family_time_detail", args=[987654])).status_code == 404
    listing = client.get(reverse("care:family_time_list"))
    assert listing.status_code == 200
    assert (in_care.reference in listing.content.decode()) == (READ[who] == 200)


@pytest.mark.parametrize("who", CAST)
def test_endpoints_answer_each_member_of_the_cast(client, cast, in_care, family_time, who):
    arrangement, progression = family_time
    client.force_login(getattr(cast, who))
    assert client.get(f"/api/family-time/{arrangement.pk}/").status_code == READ[who]
    assert client.get(f"/api/family-time-progressions/{progression.pk}/").status_code == READ[who]
    listed = client.get("/api/family-time/").json()
    assert (listed["count"] == 1) == (READ[who] == 200)
    session = client.post(f"/api/family-time/{arrangement.pk}/sessions/",
                          {"on": timezone.localdate().isoformat(), "outcome": "cancelled", "by_whom": "carer"},
                          content_type="application/json")
    assert session.status_code == (201 if WRITE[who] == 200 else WRITE[who])
    decided = client.post(f"/api/family-time-progressions/{progression.pk}/decide/", {"approve": True},
                          content_type="application/json")
    assert decided.status_code == DECIDE[who]


def test_progress_a_plan_through_the_pages(signed_in, cast, family_time):
    arrangement, progression = family_time
    client = signed_in(cast.leader)
    assert "Decide the move to stage 1" in client.get(arrangement.get_absolute_url()).content.decode()
    response = client.post(reverse("care:progression_decide", args=[progression.pk]),
                           {"decision": "approve", "comment": "Agreed"})
    assert response.status_code == 302
    progression.refresh_from_db()
    assert progression.status == "approved"
    assert FamilyTimeStage.objects.get(arrangement=arrangement, number=1).status == "current"


def test_bad_input_on_every_form_is_refused_with_a_message(signed_in, cast, in_care, family_time):
    arrangement, progression = family_time
    client = signed_in(cast.worker)
    today = timezone.localdate()
    cases = [
        ("care:stage_add", [arrangement.pk], {"changes": "More", "starts_on": today.isoformat(),
                                              "review_on": today.isoformat()}, "review date must be after"),
        ("care:progression_request", [arrangement.pk], {"rationale": "Again"}, "already waiting"),
        ("care:session_record", [arrangement.pk], {"on": today.isoformat(), "outcome": "missed"}, "who missed"),
        ("care:session_record", [arrangement.pk], {"on": "not a date", "outcome": "held"}, "valid date"),
        ("care:review_record", [arrangement.pk], {"reviewed_on": today.isoformat(), "outcome": "Fine",
                                                  "next_review_on": today.isoformat()}, "after this one"),
        ("care:family_time_create", [in_care.reference, in_care.children[0].pk],
         {"sessions": "1", "period": "week", "duration_minutes": "60", "location": "Park", "supervision": "supervised",
          "started_on": today.isoformat(), "review_on": (today + dt.timedelta(days=9)).isoformat(),
          "others": "Grandmother", "supervisor": "Contact worker"}, "already has"),
        ("care:cultural_plan", [in_care.reference, in_care.children[0].pk], {"review_on": today.isoformat()},
         "is not recorded as"),
    ]
    counts = [m.objects.count() for m in (FamilyTimeStage, FamilyTimeProgression, FamilyTimeSession, FamilyTimeReview,
                                          FamilyTimeArrangement, CulturalSupportPlan)]
    for name, args, data, message in cases:
        response = client.post(reverse(name, args=args), data)
        assert response.status_code == 200, name
        assert message in response.content.decode(), (name, message)
    assert counts == [m.objects.count() for m in (FamilyTimeStage, FamilyTimeProgression, FamilyTimeSession,
                                                  FamilyTimeReview, FamilyTimeArrangement, CulturalSupportPlan)]
    leader = signed_in(cast.leader)
    response = leader.post(reverse("care:progression_decide", args=[progression.pk]), {"decision": "reject"})
    assert "Say why" in response.content.decode()
    progression.refresh_from_db()
    assert progression.status == "pending"


def test_bad_input_on_every_endpoint_answers_400_and_saves_nothing(client, cast, in_care, family_time):
    arrangement, progression = family_time
    client.force_login(cast.worker)
    today = timezone.localdate().isoformat()
    child = in_care.children[0]
    other = make_family_case(cast.other_team_worker, children=1)
    bad = [
        ("/api/family-time/", {"member": child.pk, "sessions": 0, "period": "week", "duration_minutes": 60,
                               "location": "Park", "supervision": "unsupervised", "started_on": today,
                               "review_on": today}, "sessions"),
        ("/api/family-time/", {"member": other.children[0].pk, "sessions": 1, "period": "week",
                               "duration_minutes": 60, "location": "Park", "supervision": "unsupervised",
                               "started_on": today, "review_on": today}, "member"),
        (f"/api/family-time/{arrangement.pk}/stages/", {"changes": "", "starts_on": today, "review_on": today},
         "changes"),
        (f"/api/family-time/{arrangement.pk}/progress/", {"rationale": "Again"}, "already waiting"),
        (f"/api/family-time/{arrangement.pk}/sessions/", {"on": today, "outcome": "held"}, "observed"),
        (f"/api/family-time/{arrangement.pk}/sessions/", {"on": today, "outcome": "nonsense"}, "outcome"),
        (f"/api/family-time/{arrangement.pk}/reviews/", {"reviewed_on": today, "outcome": "x",
                                                         "next_review_on": today}, "after this one"),
        ("/api/cultural-plans/", {"member": child.pk, "review_on": today}, "not recorded as one"),
    ]
    before = (FamilyTimeArrangement.objects.count(), FamilyTimeStage.objects.count(), FamilyTimeSession.objects.count(),
              FamilyTimeReview.objects.count(), CulturalSupportPlan.objects.count())
    for url, body, message in bad:
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert message in response.content.decode(), (url, message, response.content)
    assert before == (FamilyTimeArrangement.objects.count(), FamilyTimeStage.objects.count(),
                      FamilyTimeSession.objects.count(), FamilyTimeReview.objects.count(),
                      CulturalSupportPlan.objects.count())
    client.force_login(cast.leader)
    response = client.post(f"/api/family-time-progressions/{progression.pk}/decide/",
                           json.dumps({"approve": False}), content_type="application/json")
    assert response.status_code == 400 and "Say why" in response.content.decode()


def test_cultural_plan_pages_and_api(signed_in, cast, in_care):
    child = in_care.children[0]
    Person.objects.filter(pk=child.person_id).update(indigenous_status="aboriginal")
    client = signed_in(cast.worker)
    url = reverse("care:cultural_plan", args=[in_care.reference, child.pk])
    review_on = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert client.post(url, {"review_on": review_on, "community": "Fictional"}).status_code == 302
    add = reverse("care:cultural_activity_add", args=[in_care.reference, child.pk])
    response = client.post(add, {"activity": "Time with an Elder", "responsible": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert client.post(add, {"activity": "Time with an Elder", "responsible": "Carer"}).status_code == 302
    page = client.get(in_care.get_absolute_url()).content.decode()
    assert "Time with an Elder" in page and "Children in care" in page
    plan = CulturalSupportPlan.objects.get(member=child)
    api = client.post(f"/api/cultural-plans/{plan.pk}/activities/", {"activity": "", "responsible": "Carer"},
                      content_type="application/json")
    assert api.status_code == 400 and CulturalSupportActivity.objects.count() == 1
    assert client.get(f"/api/cultural-plans/{plan.pk}/").json()["activities"][0]["activity"] == "Time with an Elder"


def test_concurrent_planning_pages_and_api(signed_in, cast, in_care):
    first = endorsed_plan(in_care, cast.worker, cast.leader)
    review = plan_services.plan_review_start(user=cast.worker, plan=first)
    child = in_care.children[0]
    client = signed_in(cast.worker)
    base = f"{review.get_absolute_url()}children/{child.pk}/"
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Concurrent planning" in page and "Record the prognosis" in page
    response = client.post(base + "prognosis/", {"prognosis": "poor", "reasons": ""})
    assert response.status_code == 200 and not ReunificationPrognosis.objects.exists()
    assert client.post(base + "prognosis/", {"prognosis": "poor", "reasons": "No progress"}).status_code == 302
    api = client.post(f"/api/case-plans/{review.pk}/alternate-plan/",
                      {"member": child.pk, "with_whom": "Aunt", "legal_path": "adoption", "people_searched": "",
                       "people_assessed": "Aunt"}, content_type="application/json")
    assert api.status_code == 400
    api = client.post(f"/api/case-plans/{review.pk}/alternate-plan/",
                      {"member": child.pk, "with_whom": "Aunt", "legal_path": "adoption",
                       "people_searched": "Aunts", "people_assessed": "Aunt"}, content_type="application/json")
    assert api.status_code == 200 and api.json()["alternate_plan"]["status"] == "pending"
    assert client.get(base + "alternate-plan/decide/").status_code == 403
    leader = signed_in(cast.leader)
    assert leader.post(base + "alternate-plan/decide/", {"decision": "endorse"}).status_code == 302
    assert ReunificationPrognosis.objects.get().alternate.status == "endorsed"


def test_a_missed_session_shows_in_the_alert_inbox_by_reference(signed_in, cast, in_care):
    arrangement = arrange(in_care.children[0], cast.worker)
    client = signed_in(cast.worker)
    response = client.post(reverse("care:session_record", args=[arrangement.pk]),
                           {"on": timezone.localdate().isoformat(), "outcome": "missed", "by_whom": "parent"})
    assert response.status_code == 302
    assert Alert.objects.filter(kind="family_time_missed", case=in_care).exists()
    for user in (cast.worker, cast.leader):
        inbox = signed_in(user).get("/alerts/").content.decode()
        assert f"{in_care.reference}: family time missed" in inbox


def test_the_family_time_list_runs_a_fixed_number_of_queries(signed_in, cast, django_assert_max_num_queries):
    for _ in range(4):
        case = make_family_case(cast.worker, children=1)
        put_in_care(case.children[0])
        staged(arrange(case.children[0], cast.worker), cast.worker)
    client = signed_in(cast.leader)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("care:family_time_list"))
    assert response.content.decode().count("/care/family-time/") >= 4
