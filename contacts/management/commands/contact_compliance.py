"""Print the evaluation of the minimum-contact standard for one case and month."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from contacts import rules
from contacts.facts import load_month_facts
from contacts.results import evaluation_json


class Command(BaseCommand):
    help = "Evaluate the contact standard for a case and month: contact_compliance QLD-2026-000123 2026-10 [--json]"

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text")

    def handle(self, reference, month, **options):
        try:
            first = dt.datetime.strptime(month, "%Y-%m").date()
        except ValueError as error:
            raise CommandError("The month must be written YYYY-MM, e.g. 2026-10.") from error
        cases = Case.objects.filter(reference=reference)
        if not cases.exists():
            raise CommandError(f"No case {reference}.")
        result = evaluation_json(rules.evaluate(load_month_facts(cases, first)[cases.get().pk]))
        if options["json"]:
            self.stdout.write(json.dumps({"case": reference, "month": month, **result}, indent=2, default=str))
            return
        self.stdout.write(f"{reference} {first:%B %Y}: {result['status'].replace('_', ' ')}")
        self.stdout.write(f"Case type: {rules.CASE_TYPE_LABELS.get(result['case_type'], '—')}; "
                          f"risk level: {result['risk_level'] or 'missing'}")
        if result["not_assessable_reason"]:
            self.stdout.write(f"Not assessable: {result['not_assessable_reason']}")
        if result["adjustment"]:
            a = result["adjustment"]
            self.stdout.write(f"{a['kind'].capitalize()} applied, approved by {a['approved_by']}")
        for line in result["lines"]:
            state = "met" if line["achieved"] >= line["required"] else f"short by {line['required'] - line['achieved']}"
            counted = ", ".join(f"#{c}" for c in line["counted"]) or "none"
            self.stdout.write(f"  {line['description']}: {line['achieved']} of {line['required']} — {state} "
                              f"(counted: {counted})")
        for contact_id, reasons in result["not_counted"]:
            self.stdout.write(f"  Not counted #{contact_id}: {' '.join(reasons)}")
        for note in result["notes"]:
            self.stdout.write(f"  Note: {note}")



