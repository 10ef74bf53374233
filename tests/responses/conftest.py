"""Fixtures of the responses tests: a family case of ``cast.worker``, a sending system
with its token, and helpers that move a response through the real services."""

import pytest

from responses import services
from responses.models import InformationKind


@pytest.fixture
def family(cast):
    from tests.conftest import make_family_case

    return make_family_case(cast.worker)


@pytest.fixture
def system(db):
    system, token = services.sending_system_create(name="Court information exchange")
    system.token = token
    return system


def inbound(client, token, body, content_type="application/json"):
    return client.post("/api/inbound/", body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}")


def new_concern(case, user, **extra):
    return services.response_record(user=user, case=case, kind=InformationKind.NEW_CONCERN, person=None,
                                    summary="School reports bruising", **extra)


def complete_all_steps(response, user):
    """View, assess, further action, safety assessment, case plan and placement reviews."""
    from django.utils import timezone

    services.response_step_complete(user=user, response=response, code="view")
    services.response_step_complete(user=user, response=response, code="assess", note="Home visit today")
    services.response_step_complete(user=user, response=response, code="further_action", note="Police informed",
                                    victim_support_information_given=True)
    services.safety_assessment_record(user=user, case=response.case, response=response,
                                      completed_on=timezone.localdate(), decision="safe")
    services.response_step_complete(user=user, response=response, code="case_plan_review", note="No change")
    services.response_step_complete(user=user, response=response, code="placement_review", note="Stays home")
    response.refresh_from_db()
    return response
