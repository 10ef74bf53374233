"""The demo agency shows the federal visit measure at work: children in care for full months,
some seen by a caseworker and some not, most seen at the placement and some elsewhere."""

import pytest
from django.db.models import F, Sum

from cases import demo
from contacts import demo as contact_demo
from contacts import federal_dashboards
from contacts.models import CaseMonth

pytestmark = pytest.mark.django_db


def test_the_demo_has_child_months_seen_and_not_in_the_residence_and_elsewhere():
    agency = demo.ensure_agency(None)
    cases = demo.create_cases(agency, 40, seed=1, with_history=True)
    contact_demo.seed(agency, cases, scale=False)
    window = federal_dashboards.federal_months()
    rows = CaseMonth.objects.filter(month__gte=window[0], month__lte=window[-1], federal_children__gt=0)
    totals = rows.aggregate(children=Sum("federal_children"), visited=Sum("federal_visited"),
                            at_residence=Sum("federal_at_residence"))
    assert totals["children"] > 20
    assert 0 < totals["visited"] < totals["children"]
    assert 0 < totals["at_residence"] < totals["visited"]
    assert rows.filter(federal_visited__lt=F("federal_children")).exists()
    assert rows.filter(federal_at_residence__lt=F("federal_visited")).exists()
