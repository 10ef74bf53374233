"""The placement-stability figure on the team leader's and the manager's dashboards."""

from django import template
from django.utils import timezone

from care import selectors

register = template.Library()


@register.inclusion_tag("care/_stability_figure.html", takes_context=True)
def placement_stability(context):
    return {"summary": selectors.stability_summary(context["request"].user, timezone.localdate())}
