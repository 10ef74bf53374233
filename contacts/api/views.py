"""REST endpoints: contacts (list/create), planned visits (list/create/reschedule/cancel) and
the evaluation of a case for a month."""

import datetime as dt
import hashlib
import json
import uuid

from django.db import IntegrityError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cases.api.versioning import domain_errors
from cases.api.views import VisibleCasesContextMixin
from cases.permissions import Action, CaseAccessPermission, can, get_case_or_404, visible_cases
from cases.services import CaseworkError
from contacts import selectors, services, visits
from contacts.api.serializers import (
    CaseMonthSerializer,
    ContactSerializer,
    PlannedVisitSerializer,
    VisitCancelSerializer,
    VisitRescheduleSerializer,
)
from contacts.models import Contact, ContactParticipant, ScheduledVisit, VisitPlace

# What a worker types: a refused contact with any of these filled in is kept as a draft.
TYPED = ("purpose", "observations", "assessment", "safety_concerns", "safety_actions", "location_details",
         "other_party_name", "other_party_organisation", "provider_worker")


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_HELP = (
    "A UUID the client makes up once per contact (the offline recording page does). Sending the same key "
    "again answers the contact already saved (200, the same id) instead of saving a second one; the same key "
    "with a different body answers 409. A refused contact with a key is kept as one draft, not one per try.")
_REPLAY_CONFLICT = inline_serializer("IdempotencyConflict", {
    "detail": serializers.CharField(), "contact": serializers.IntegerField(required=False),
    "saved": serializers.BooleanField(required=False, help_text="True: the contact of this key is saved")})


@extend_schema_view(create=extend_schema(
    parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False,
                                 description=IDEMPOTENCY_HELP)],
    responses={201: ContactSerializer,
               200: OpenApiResponse(ContactSerializer, description="Already saved with this Idempotency-Key"),
               409: OpenApiResponse(_REPLAY_CONFLICT, description="This Idempotency-Key was used for another "
                                                                  "contact, or its contact's case is out of reach")}))
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
        key = _idempotency_key(request)
        self.idempotency = (key, _fingerprint(request.data)) if key else (None, "")
        if key is not None and (replay := self._replay(*self.idempotency)) is not None:
            return replay
        try:
            return super().create(request, *args, **kwargs)
        except IntegrityError:
            # The same key sent twice at once: the other request saved it first.
            if key is not None and (replay := self._replay(*self.idempotency)) is not None:
                return replay
            raise
        except ValidationError as refusal:
            draft = _keep_as_draft(request, key) if isinstance(refusal.detail, dict) else None
            if draft is not None:
                refusal.detail["draft"] = {
                    "id": draft.pk, "url": reverse("contacts:create", args=[draft.case.reference]) + f"?draft={draft.pk}"}
            raise

    def perform_create(self, serializer):
        case = serializer.validated_data["case"]
        try:
            get_case_or_404(self.request.user, case.reference, Action.EDIT)
            key, fingerprint = getattr(self, "idempotency", (None, ""))
            serializer.instance = services.contact_record(user=self.request.user, case=case,
                                                          data=serializer.contact_input, idempotency_key=key,
                                                          idempotency_fingerprint=fingerprint)
        except CaseworkError as error:
            raise ValidationError({"detail": str(error)}) from error

    def _replay(self, key, fingerprint):
        """The answer to a key already used by this requester, or None when it is new."""
        earlier = selectors.contact_by_idempotency_key(self.request.user, key)
        if earlier is None:
            return None
        if earlier.idempotency_fingerprint != fingerprint:
            return Response({"detail": f"This {IDEMPOTENCY_HEADER} was already used for another contact (saved as "
                                       f"contact {earlier.pk}); nothing was saved. Send a new contact with a new key.",
                             "contact": earlier.pk}, status=status.HTTP_409_CONFLICT)
        visible = self.get_queryset().filter(pk=earlier.pk).first()
        if visible is None:
            return Response({"detail": "This contact was already saved, but its case is no longer one you may see; "
                                       "nothing was saved again.", "contact": earlier.pk, "saved": True},
                            status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(visible).data, status=status.HTTP_200_OK,
                        headers={"Idempotent-Replayed": "true"})


def _idempotency_key(request) -> uuid.UUID | None:
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ValidationError({"detail": f"The {IDEMPOTENCY_HEADER} header must be a UUID, such as "
                                         f"{uuid.UUID(int=0)}; nothing was saved."}) from None


def _fingerprint(body) -> str:
    """The same body gives the same fingerprint, whatever the order of its keys."""
    if hasattr(body, "lists"):  # a form-encoded body
        body = dict(body.lists())
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _keep_as_draft(request, key: uuid.UUID | None = None):
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
    if key is not None:  # sent again: the same draft, not a second one (draft_save)
        data["idempotency_key"] = str(key)
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


class PlannedVisitViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Planned visits of the cases you may see (``state`` says "missed" at once for a planned
    visit whose day passed). Creating, rescheduling and cancelling need EDIT on the case
    (403 when visible but not allowed); a refusal answers 400 with the reason, nothing saved."""

    serializer_class = PlannedVisitSerializer
    filterset_fields = ["case__reference", "status", "scheduled_for"]
    ordering_fields = ["scheduled_for"]

    def get_queryset(self):
        return (ScheduledVisit.objects.with_state(timezone.localdate())
                .filter(case__in=visible_cases(self.request.user))
                .select_related("case").prefetch_related("members").order_by("scheduled_for", "scheduled_time", "pk"))

    def get_serializer_class(self):
        return {"reschedule": VisitRescheduleSerializer, "cancel": VisitCancelSerializer}.get(
            self.action, PlannedVisitSerializer)

    def perform_create(self, serializer):
        data = serializer.validated_data
        case = data["case"]
        get_case_or_404(self.request.user, case.reference, Action.EDIT)
        visit = domain_errors(lambda: visits.visit_plan(
            user=self.request.user, case=case, day=data["scheduled_for"], time=data.get("scheduled_time"),
            members=list(data["members"]), place=data.get("place", VisitPlace.HOME),
            place_details=data.get("place_details", ""), purpose=data.get("purpose", ""),
            requirement=data.get("requirement", "")))
        serializer.instance = self.get_queryset().get(pk=visit.pk)

    def _change(self, request, write):
        visit = self.get_object()  # unseen answers 404 before the body is read, as a missing one
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domain_errors(lambda: write(visit, serializer.validated_data))
        return Response(PlannedVisitSerializer(self.get_queryset().get(pk=visit.pk),
                                               context=self.get_serializer_context()).data)

    @extend_schema(request=VisitRescheduleSerializer, responses=PlannedVisitSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move the visit to another day (and time), with the reason."""
        return self._change(request, lambda visit, data: visits.visit_reschedule(
            user=request.user, visit=visit, day=data["scheduled_for"], time=data.get("scheduled_time"),
            reason=data["reason"]))

    @extend_schema(request=VisitCancelSerializer, responses=PlannedVisitSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the visit, with the reason."""
        return self._change(request, lambda visit, data: visits.visit_cancel(user=request.user, visit=visit,
                                                                             reason=data["reason"]))
