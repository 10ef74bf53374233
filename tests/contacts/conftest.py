import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_family_case


@pytest.fixture
def family(cast):
    """A moderate-risk in-home case of cast.worker: two children at home with their mother."""
    return make_family_case(cast.worker, children=2, parents=1, risk="moderate")


@pytest.fixture
def now_local():
    return timezone.localtime()


def visit_form(case, *, when=None, participants=None, **overrides):
    """POST data of the contact form for a face-to-face home visit."""
    when = when or timezone.localtime() - dt.timedelta(hours=1)
    parent = case.parents[0]
    data = {
        "kind": "face_to_face", "mode": "in_person", "occurred_on": when.date().isoformat(),
        "start_time": when.strftime("%H:%M"), "duration_minutes": "60",
        "participants": [str(m.pk) for m in (participants if participants is not None
                                             else case.children + case.parents)],
        "location": "parent_residence", "location_person": str(parent.person_id), "announced": "yes",
        "made_by": str(case.caseworker_id), "purpose": "Home visit",
        "observations": "The children were at home with their mother.", "assessment": "Safe for now.",
    }
    data.update(overrides)
    return data
