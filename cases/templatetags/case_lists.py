"""Template filters for case lists."""

from django import template

register = template.Library()


@register.filter
def distinct_legal_statuses(case) -> list[str]:
    """The current legal statuses of a case's children, each named once (siblings usually
    share one), in the order the children are listed. Needs ``case.current_children``
    with ``current_legal_statuses`` prefetched (cases.selectors.case_list)."""
    labels: list[str] = []
    for member in case.current_children:
        for status in member.current_legal_statuses:
            label = status.get_intervention_type_display()
            if label not in labels:
                labels.append(label)
    return labels
