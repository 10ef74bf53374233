"""The benchmark commands run and print their figures (the figures themselves are not asserted)."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from caseplans.models import CasePlan
from tests.conftest import make_family_case


def test_bench_caseplan_pdf_prints_seconds_and_leaves_nothing_behind(db):
    out = io.StringIO()
    call_command("bench_caseplan_pdf", "--actions", "5", "--repeat", "1", stdout=out)
    assert "5-action plan, full plan: best" in out.getvalue() and "family copy" in out.getvalue()
    assert not CasePlan.objects.exists()


def test_bench_caseplan_timeframes_prints_figures_and_rolls_back_its_alerts(cast):
    case = make_family_case(cast.worker)
    case.substantiated_on = timezone.localdate() - dt.timedelta(days=30)
    case.save()
    out = io.StringIO()
    call_command("bench_caseplan_timeframes", stdout=out)
    text = out.getvalue()
    assert "(first run):" in text and "1 alerts raised" in text and "/plans/due/ for leader" in text
    assert "status 200" in text and not Alert.objects.exists()
