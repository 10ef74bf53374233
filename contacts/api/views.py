"""REST endpoints: contacts (list/create) and the evaluation of a case for a month."""

import datetime as dt

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cases.api.views import VisibleCasesContextMixin
from cases.permissions import Action, CaseAccessPermission, can, get_case_or_404, visible_cases
from cases.services import CaseworkError
from contacts import selectors, services
from contacts.api.serializers import CaseMonthSerializer, ContactSerializer
from contacts.models import Contact, ContactParticipant

# What a worker types: a refused contact with any of these filled in is kept as a draft.
TYPED = ("purpose", "observations", "assessment", "safety_concerns", "safety_actions", "location_details",
         "other_party_name", "other_party_organisation", "provider_worker")


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

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except ValidationError as refusal:
            draft = _keep_as_draft(request) if isinstance(refusal.detail, dict) else None
            if draft is not None:
                refusal.detail["draft"] = {
                    "id": draft.pk, "url": reverse("contacts:create", args=[draft.case.reference]) + f"?draft={draft.pk}"}
            raise

    def perform_create(self, serializer):
        case = serializer.validated_data["case"]
        try:
            get_case_or_404(self.request.user, case.reference, Action.EDIT)
            serializer.instance = services.contact_record(user=self.request.user, case=case,
                                                          data=serializer.contact_input)
        except CaseworkError as error:
            raise ValidationError({"detail": str(error)}) from error


def _keep_as_draft(request):
    """A refused contact loses nothing typed: on a case the requester may record on, what was
    sent is kept as their draft, in the contact form's fields, to finish on the page."""
    body = request.data if isinstance(request.data, dict) else {}
    typed = {name: body[name] for name in TYPED if isinstance(body.get(name), str) and body[name].strip()}
    reference = body.get("case")
    if not typed or not isinstance(reference, str) or "\x00" in reference:
        return None
    case = visible_cases(request.user).filter(reference=reference).first()
    if case is None or not can(request.user, Action.EDIT, case):
        return None
    data = dict(typed)
    for name in ("kind", "mode", "location", "duration_minutes", "next_visit_on", "made_by", "provider",
                 "location_person"):
        if isinstance(body.get(name), (str, int)) and not isinstance(body.get(name), bool):
            data[name] = str(body[name])
    if isinstance(body.get("announced"), bool):
        data["announced"] = "yes" if body["announced"] else "no"
    if body.get("interpreter_used") is True:
        data["interpreter_used"] = "on"
    occurred = parse_datetime(body["occurred_at"]) if isinstance(body.get("occurred_at"), str) else None
    if occurred is not None:
        occurred = timezone.localtime(occurred) if timezone.is_aware(occurred) else occurred
        data.update(occurred_on=occurred.date().isoformat(), start_time=occurred.strftime("%H:%M"))
    people = [p for p in body.get("participants") or [] if isinstance(p, dict)] if isinstance(
        body.get("participants"), list) else []
    data["participants"] = [str(p["member"]) for p in people if isinstance(p.get("member"), int)]
    data["seen_alone"] = [str(p["member"]) for p in people if isinstance(p.get("member"), int) and p.get("seen_alone")]
    return services.draft_save(user=request.user, case=case, data=data)


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
