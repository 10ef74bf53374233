"""REST endpoints: contacts (list/create) and the evaluation of a case for a month."""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cases.api.views import VisibleCasesContextMixin
from cases.permissions import Action, CaseAccessPermission, get_case_or_404, visible_cases
from cases.services import CaseworkError
from contacts import selectors, services
from contacts.api.serializers import CaseMonthSerializer, ContactSerializer
from contacts.models import Contact, ContactParticipant


class ContactViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Contacts and case notes of the cases the user may see. Saved contacts are changed
    through the web page within the edit window, or by addenda."""

    serializer_class = ContactSerializer
    filterset_fields = ["case__reference", "kind"]
    ordering_fields = ["occurred_at"]

    def get_queryset(self):
        return (Contact.objects.filter(case__in=visible_cases(self.request.user))
                .select_related("case").prefetch_related(Prefetch("participants",
                                                                  queryset=ContactParticipant.objects.all()))
                .order_by("-occurred_at", "-id"))

    def perform_create(self, serializer):
        case = serializer.validated_data["case"]
        try:
            get_case_or_404(self.request.user, case.reference, Action.EDIT)
            serializer.instance = services.contact_record(user=self.request.user, case=case,
                                                          data=serializer.contact_input)
        except CaseworkError as error:
            raise ValidationError({"detail": str(error)}) from error


@extend_schema(responses=CaseMonthSerializer)
@api_view(["GET"])
@permission_classes([CaseAccessPermission])
def case_month_evaluation(request, reference, month):
    """The stored evaluation of the contact standard for one case and month (YYYY-MM)."""
    case = get_case_or_404(request.user, reference)
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError as error:
        raise NotFound("Month must be YYYY-MM.") from error
    if first > timezone.localdate().replace(day=1) or first < case.opened_on.replace(day=1):
        raise NotFound("The case has no evaluation for that month.")
    return Response(CaseMonthSerializer(selectors.ensure_month_result(case, first)).data)
