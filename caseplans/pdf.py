"""PDF copies of a plan version (WeasyPrint): the full plan for the file, and the copy for
the child and parents, which leaves out other people's addresses, confidential places and
confidential notes. Unendorsed versions carry a "DRAFT — not endorsed" watermark."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from caseplans import rules, selectors


def plan_context(plan, *, family: bool) -> dict:
    today = timezone.localdate()
    endorsed = plan.endorsed_on is not None
    return {
        "plan": plan, "case": plan.case, "family": family, "draft": not endorsed,
        "status_label": rules.STATUS_LABELS[plan.status],
        "people": [] if family else selectors.plan_people(plan, on=today),
        "objectives": list(plan.child_objectives.all()),
        "concerns": list(plan.concerns.all()),
        "goals": list(plan.goals.all()),
        "actions": [a for a in plan.actions.all() if a.withdrawn_on is None],
        "printed_on": today,
    }


def render_plan_pdf(plan, *, family: bool = False) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint costs start-up time

    html = render_to_string("caseplans/plan_pdf.html", plan_context(plan, family=family))
    return HTML(string=html).write_pdf()
