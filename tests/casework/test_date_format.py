"""One date format everywhere (issue 13, item 5): the agency's locale, en-au, writes "2 Dec 2026"
(casework/formats/en_AU/formats.py). No page shows "02/12/2026", an ISO "2026-12-02" or a
zero-padded "02 Dec 2026" beside it; templates use only the named formats; Python writes
dates for people with casework.dates.day_label / moment_label. CSV exports keep ISO dates on
purpose (machine-readable: contacts/dashboard_views.py), as do addresses (?month=2026-12)."""

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.services import alert_raise
from cases.models import Case
from casework.dates import day_label, moment_label
from contacts.recompute import case_months_recompute
from services import rules as referral_rules
from services.models import Service, ServiceProvider, ServiceType
from tests.caseplans.conftest import endorsed_plan
from tests.conftest import make_family_case
from tests.services.conftest import make_referral

ROOT = Path(settings.BASE_DIR)
# The formats a template may name: the agency's (named in the formats module), a month on its
# own (short, "M y", for the columns of the 1366-pixel rate tables), a time on its own, a
# weekday before a date, and the year-month of an address.
ALLOWED = {"", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT", "M Y", "M y", "H:i", "H:i:s", "D", "l", "Y-m"}
OTHER_FORMATS = {
    "day/month/year": re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "zero-padded day": re.compile(r"\b0\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"),
}
AGENCY_DATE = re.compile(r"\b[1-9]\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")


def test_templates_name_only_the_agency_formats():
    found = {}
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "templates").rglob("*.txt")):
        for fmt in re.findall(r"\|date(?::[\"']([^\"']*)[\"'])?", path.read_text()):
            if fmt not in ALLOWED:
                found.setdefault(str(path.relative_to(ROOT)), set()).add(fmt)
    assert found == {}


def test_python_writes_dates_for_people_only_through_day_label():
    ad_hoc = re.compile(r"%-?d[ /]%[bBm]|%b %-?d|%A|%B %-?d")
    found = [f"{path.relative_to(ROOT)}:{n}" for app in ("cases", "caseplans", "contacts", "services", "alerts",
                                                        "responses", "casework")
             for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
             for n, line in enumerate(path.read_text().splitlines(), 1) if ad_hoc.search(line)]
    assert found == []


def test_day_label_and_moment_label_write_the_agency_format():
    assert day_label(dt.date(2026, 8, 3)) == "3 Aug 2026"
    assert moment_label(dt.datetime(2026, 12, 2, 9, 5)) == "2 Dec 2026 09:05"


def _text(response) -> str:
    """What a person reads: the page without tags and attributes (addresses keep ISO dates)."""
    assert response.status_code == 200
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.django_db
def test_the_main_pages_write_every_date_one_way(client, cast):
    case = make_family_case(cast.worker, opened_on=dt.date(2025, 8, 3))
    month = timezone.localdate().replace(day=1)
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=month)
    plan = endorsed_plan(case, cast.worker, cast.leader)
    provider = ServiceProvider.objects.create(name="Test Parenting Hub")
    service = Service.objects.create(provider=provider, name="Parenting program", service_type=ServiceType.PARENTING,
                                     area_served="Riverbend Heights", cost_per_session=Decimal("0"))
    referral = make_referral(case, service, cast.worker, referral_rules.ACCEPTED)
    alert_raise(key="test:date", kind=AlertKind.OTHER, title=f"Case {case.reference}: check", recipients=[cast.worker],
                case=case, due_on=dt.date(2026, 8, 23))
    assert Alert.objects.filter(key="test:date").exists()
    client.force_login(cast.worker)
    pages = {
        "case": f"/cases/{case.reference}/",
        "alerts inbox": "/alerts/",
        "month": f"/contacts/case/{case.reference}/month/{month:%Y-%m}/",
        "plan": plan.get_absolute_url(),
        "referral": f"/services/cases/{case.reference}/referrals/{referral.pk}/",
    }
    for name, url in pages.items():
        text = _text(client.get(url))
        assert AGENCY_DATE.search(text), f"{name}: no date in the agency format"
        for label, pattern in OTHER_FORMATS.items():
            assert not pattern.search(text), f"{name} shows a {label}: {pattern.search(text).group(0)}"
    assert "3 Aug 2025" in _text(client.get(pages["case"]))  # the case opened
