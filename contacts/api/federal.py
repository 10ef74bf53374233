"""The federal monthly caseworker-visit measure (contacts.federal) in the API: the dashboard's
numbers and the child-months behind them, from the same selectors as the pages."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cases.access_log import note_look
from cases.permissions import CaseAccessPermission
from contacts import federal, federal_dashboards
from contacts.federal_forms import FederalFilterForm


class FederalCellSerializer(serializers.Serializer):
    name = serializers.CharField()
    child_months = serializers.IntegerField(source="children", help_text="Children in care for the whole month")
    seen = serializers.IntegerField(source="visited", help_text="Of those, seen face to face by a caseworker")
    seen_percent = serializers.FloatField(source="visited_percent", allow_null=True)
    meets_target = serializers.BooleanField(allow_null=True)
    seen_in_residence = serializers.IntegerField(source="at_residence")
    in_residence_percent = serializers.FloatField(source="residence_percent", allow_null=True,
                                                  help_text="Of the child-months seen")
    residence_met = serializers.BooleanField(allow_null=True, help_text="More than half of those seen in the residence")


class FederalSummarySerializer(serializers.Serializer):
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    target_percent = serializers.IntegerField()
    residence_threshold_percent = serializers.IntegerField()
    overall = FederalCellSerializer()
    by_office = FederalCellSerializer(many=True)
    by_team = FederalCellSerializer(many=True)


class ChildMonthSerializer(serializers.Serializer):
    case = serializers.CharField(source="result.case.reference")
    month = serializers.SerializerMethodField()
    office = serializers.CharField(source="result.case.team.office.name")
    team = serializers.CharField(source="result.case.team.name")
    child = serializers.IntegerField(source="child_number", help_text="The child's position among the case's "
                                                                      "children counted that month")
    seen = serializers.BooleanField(source="visited")
    first_visit_on = serializers.DateField(allow_null=True)
    visits = serializers.IntegerField()
    seen_in_residence = serializers.BooleanField(source="at_residence")
    residence_visits = serializers.IntegerField()

    def get_month(self, row) -> str:
        return f"{row.result.month:%Y-%m}"


FILTERS = [
    OpenApiParameter("month", str, description="YYYY-MM, one of the last twelve complete months; all twelve if left out"),
    OpenApiParameter("office", str, description="Office name"),
    OpenApiParameter("team", str, description="Team name"),
    OpenApiParameter("seen", str, enum=["yes", "no"], description="Seen by a caseworker that month"),
    OpenApiParameter("residence", str, enum=["yes", "no"], description="Of those seen: seen in the residence"),
]


def _criteria(request) -> dict:
    if not settings.FEDERAL_VISIT_MEASURE:
        raise NotFound("This agency does not report the federal caseworker-visit measure.")
    form = FederalFilterForm(request.query_params)
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return form.criteria()


def _cells(cells: dict) -> list:
    return [{"name": name, **vars(cell), "visited_percent": cell.visited_percent, "meets_target": cell.meets_target,
             "residence_percent": cell.residence_percent, "residence_met": cell.residence_met}
            for name, cell in cells.items()]


class FederalSummaryView(generics.GenericAPIView):
    """The federal caseworker-visit measure over the last twelve complete months (or the
    ``month`` given), overall, by office and by team: counts every case within your reach, as
    the dashboard does."""

    permission_classes = [CaseAccessPermission]
    serializer_class = FederalSummarySerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(parameters=FILTERS[:1], responses=FederalSummarySerializer)
    def get(self, request):
        criteria = _criteria(request)
        months = criteria["months"]
        summary = federal_dashboards.federal_summary(request.user, months)
        return Response(FederalSummarySerializer({
            "first_month": f"{months[0]:%Y-%m}", "last_month": f"{months[-1]:%Y-%m}",
            "target_percent": settings.FEDERAL_VISIT_TARGET, "residence_threshold_percent": federal.RESIDENCE_THRESHOLD,
            "overall": _cells({"All": summary["overall"]})[0], "by_office": _cells(summary["office"]),
            "by_team": _cells(summary["team"])}).data)


class FederalChildMonthsView(generics.ListAPIView):
    """The child-months behind the measure, of the cases you may see, by case reference and month."""

    permission_classes = [CaseAccessPermission]
    serializer_class = ChildMonthSerializer
    filter_backends = []

    def get_queryset(self):
        return federal_dashboards.child_months(self.request.user, **_criteria(self.request))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        note_look(sorted({row.result.case_id for row in page or []}))
        return page

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
