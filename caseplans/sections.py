"""The case plan section of the case page: the version in force, the one being written,
progress on actions and the statutory timeframes (a fixed number of queries)."""

from django.utils import timezone

from caseplans import rules, selectors
from cases.permissions import Action, can


def case_section(request, case):
    today = timezone.localdate()
    row = selectors.case_plan_row(case, today=today)
    annotated = row.case
    return {
        "row": row,
        "in_force_version": annotated.in_force_version,
        "under_review": annotated.under_review,
        "working_version": annotated.working_version,
        "working_status": rules.STATUS_LABELS.get(annotated.working_status, ""),
        "has_plan": bool(annotated.in_force_version or annotated.working_version or annotated.under_review
                         or annotated.first_endorsed_on),
        "latest_version": annotated.working_version or annotated.in_force_version,
        "can_start": can(request.user, Action.EDIT, case) and not (
            annotated.in_force_version or annotated.working_version or annotated.under_review
            or annotated.first_endorsed_on),
    }
