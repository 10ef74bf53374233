"""REST endpoints of responding to new information: the same rules as the pages.

Lists start from the cases the user may see (others answer 404); writes need EDIT on the
case (403 when visible but not allowed), approvals need APPROVE. ``/api/inbound/`` is the
machine endpoint for external systems: its own token (``Authorization: Bearer <token>``),
idempotent on the sender's ``message_id``; what it cannot process is kept for review and
answered with a 4xx saying why."""

from __future__ import annotations

import json

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import (
    authentication,
    exceptions,
    mixins,
    permissions,
    status,
    viewsets,
)
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from cases.api.views import VisibleCasesContextMixin, _domain_errors
from cases.permissions import Action, may_read_inbound, require
from responses import selectors, services
from responses.api import (
    schema,  # noqa: F401 — registers the OpenAPI extension
    serializers,
)
from responses.models import (
    FormalReview,
    InboundStatus,
    Recommendation,
    SafetyAssessment,
    SafetyPlan,
    SendingSystem,
    SupervisionReview,
)


class _CaseRecords(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Records are never changed or deleted through the API; actions move them on."""

    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["case__reference"]

    def _fresh(self, pk, code=status.HTTP_200_OK):
        return ApiResponse(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    def _input(self, request, serializer_class):
        data = serializer_class(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


class RecordAlertViewSet(_CaseRecords):
    serializer_class = serializers.RecordAlertSerializer
    filterset_fields = ["category", "severity"]

    def get_queryset(self):
        return selectors.record_alert_list(self.request.user)

    def check_object_permissions(self, request, obj):
        # An alert on a person has no single case: the queryset already limits what is visible,
        # and the end/review services require EDIT on the case named in the request.
        return None

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_errors(lambda: services.record_alert_create(user=self.request.user, **data))

    def _alert(self, request, pk, serializer_class):
        alert = self.get_object()
        data = self._input(request, serializer_class)
        return alert, data

    @extend_schema(request=serializers.RecordAlertEndSerializer, responses=serializers.RecordAlertSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the alert with a reason (``case`` says through which case you act)."""
        alert, data = self._alert(request, pk, serializers.RecordAlertEndSerializer)
        _domain_errors(lambda: services.record_alert_end(user=request.user, alert=alert, **data))
        return self._fresh(alert.pk)

    @extend_schema(request=serializers.RecordAlertReviewSerializer, responses=serializers.RecordAlertSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The alert was reviewed and stays: set its next review date."""
        alert, data = self._alert(request, pk, serializers.RecordAlertReviewSerializer)
        _domain_errors(lambda: services.record_alert_review(user=request.user, alert=alert, **data))
        return self._fresh(alert.pk)


class ResponseViewSet(_CaseRecords):
    serializer_class = serializers.ResponseSerializer
    filterset_fields = ["case__reference", "kind"]

    def get_queryset(self):
        return selectors.response_list(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_errors(lambda: services.response_record(
            user=self.request.user, case=data["case"], kind=data["kind"], person=data.get("person"),
            summary=data["summary"], details=data.get("details", ""), received_at=data.get("received_at")))

    @extend_schema(request=serializers.StepCompleteSerializer, responses=serializers.ResponseSerializer)
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<code>[a-z_]+)")
    def step(self, request, pk=None, code=None):
        """Tick one step (the order and notes the rules require, else 400 with the reason)."""
        response = self.get_object()
        require(request.user, Action.EDIT, response.case)
        data = self._input(request, serializers.StepCompleteSerializer)
        _domain_errors(lambda: services.response_step_complete(user=request.user, response=response, code=code,
                                                               **data))
        return self._fresh(response.pk)


class SafetyAssessmentViewSet(_CaseRecords):
    serializer_class = serializers.SafetyAssessmentSerializer

    def get_queryset(self):
        return selectors.case_scoped(SafetyAssessment, self.request.user).select_related("recorded_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_errors(lambda: services.safety_assessment_record(
            user=self.request.user, case=data["case"], response=data.get("response"),
            completed_on=data["completed_on"], decision=data["decision"], threats=data.get("threats", "")))


class SafetyPlanViewSet(_CaseRecords):
    serializer_class = serializers.SafetyPlanSerializer
    filterset_fields = ["case__reference", "status"]

    def get_queryset(self):
        return selectors.case_scoped(SafetyPlan, self.request.user).select_related("submitted_by", "decided_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        assessment = data["case"].safety_assessments.order_by("-completed_on", "-pk").first()
        serializer.instance = _domain_errors(lambda: services.safety_plan_submit(
            user=self.request.user, assessment=assessment, **data))

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.SafetyPlanSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """A team leader of the case's team approves or returns the plan (not their own)."""
        plan = self.get_object()
        require(request.user, Action.APPROVE, plan.case)
        data = self._input(request, serializers.DecisionSerializer)
        _domain_errors(lambda: services.safety_plan_decide(user=request.user, plan=plan, **data))
        return self._fresh(plan.pk)


class SupervisionReviewViewSet(_CaseRecords):
    serializer_class = serializers.SupervisionReviewSerializer

    def get_queryset(self):
        return selectors.case_scoped(SupervisionReview, self.request.user).select_related("recorded_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_errors(lambda: services.supervision_review_record(user=self.request.user,
                                                                                        **data))


class FormalReviewViewSet(_CaseRecords):
    serializer_class = serializers.FormalReviewSerializer

    def get_queryset(self):
        return selectors.case_scoped(FormalReview, self.request.user).select_related("recorded_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_errors(lambda: services.formal_review_record(user=self.request.user, **data))


class RecommendationViewSet(_CaseRecords):
    serializer_class = serializers.RecommendationSerializer
    filterset_fields = ["case__reference", "status", "kind"]

    def get_queryset(self):
        return selectors.case_scoped(Recommendation, self.request.user).select_related("recommended_by",
                                                                                       "decided_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _domain_errors(lambda: services.recommendation_make(user=self.request.user, **data))

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """A team leader of the case's team endorses (``approve``: true) or returns it; not their own."""
        recommendation = self.get_object()
        require(request.user, Action.APPROVE, recommendation.case)
        data = self._input(request, serializers.DecisionSerializer)
        _domain_errors(lambda: services.recommendation_decide(
            user=request.user, recommendation=recommendation, endorse=data["approve"], comment=data["comment"]))
        return self._fresh(recommendation.pk)

    @extend_schema(request=serializers.CloseSerializer, responses=serializers.RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case on this endorsed recommendation (``confirmed`` must be true)."""
        recommendation = self.get_object()
        require(request.user, Action.EDIT, recommendation.case)
        data = self._input(request, serializers.CloseSerializer)
        if recommendation.status != "endorsed" or recommendation.kind != "close":
            raise exceptions.ValidationError({"detail": "Only an endorsed recommendation to close closes a case."})
        changed = _domain_errors(lambda: services.case_close(user=request.user, case=recommendation.case, **data))
        body = self.get_serializer(self.get_queryset().get(pk=recommendation.pk)).data
        return ApiResponse({**body, **changed})


class _InboundReaders(permissions.BasePermission):
    message = "Only team leaders and managers read inbound messages."

    def has_permission(self, request, view):
        return may_read_inbound(request.user)


class InboundMessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Messages received from external systems that you may read: those about cases you may
    see, and those naming no case we hold (others answer 404, like messages that do not exist)."""

    permission_classes = [_InboundReaders]
    serializer_class = serializers.InboundMessageSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.inbound_list(self.request.user)


# --- The machine endpoint ---------------------------------------------------------------------


class SendingSystemAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``: the token of a registered, active sending system."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token after “Bearer”.")
        system = services.sending_system_for_token(header[1])
        if system is None:
            raise exceptions.AuthenticationFailed("Unknown or inactive sending-system token.")
        # The principal is the system (request.auth), not a member of staff: the history of
        # what it creates records no user.
        return AnonymousUser(), system

    def authenticate_header(self, request):
        return self.keyword


class _RawParser(BaseParser):
    """Keep the body as received: a message that is not JSON is still stored for review."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read().decode("utf-8", errors="replace")


class _IsSendingSystem(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, SendingSystem)


_RECEIPT = inline_serializer("InboundReceipt", fields={
    "id": drf_serializers.IntegerField(), "message_id": drf_serializers.CharField(),
    "status": drf_serializers.CharField(), "problem": drf_serializers.CharField(allow_blank=True),
    "repeat": drf_serializers.BooleanField(),
    "detail": drf_serializers.CharField(required=False, help_text="Only when kept for review (422)."),
})
_REFUSAL = inline_serializer("InboundRefusal", fields={"detail": drf_serializers.CharField()})


class InboundView(APIView):
    """Receive a new concern or court alert from an external system.

    Body (JSON): ``message_id`` (the sender's, unique per sender), ``kind`` (new_concern or
    court_alert), ``case_reference``, ``summary``; optional ``details``, ``received_at`` (ISO
    8601) and the person it is about, as ``person_id`` (ours) or ``person`` (``given_name``,
    ``family_name``, ``date_of_birth``: must name exactly one member of the case). Answers
    201 (response started), 200 (a repeat: nothing new), 422 (kept for review: malformed or
    unknown case/person), 400 (refused, nothing stored: ``received_at`` not a date and time
    between 1900 and a few minutes from now), 409 (the ``message_id`` was already used for a
    different message), 413 (body over ``REQUEST_BODY_MAX_BYTES``), 401 (no or bad token)."""

    authentication_classes = [SendingSystemAuthentication]
    permission_classes = [_IsSendingSystem]
    parser_classes = [_RawParser]
    throttle_classes = []

    @extend_schema(request={"application/json": OpenApiTypes.OBJECT}, responses={
        201: OpenApiResponse(_RECEIPT, "Received: a response was started."),
        200: OpenApiResponse(_RECEIPT, "A repeat of a message already received: nothing new."),
        422: OpenApiResponse(_RECEIPT, "Kept for review: malformed, or the case or person is unknown."),
        400: OpenApiResponse(_REFUSAL, "Refused, nothing stored."),
        409: OpenApiResponse(_REFUSAL, "The message_id was already used for a different message."),
    })
    def post(self, request):
        raw = request.data if isinstance(request.data, str) else ""
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        try:
            message, created = services.inbound_message_receive(system=request.auth, payload=payload, raw_body=raw)
        except services.InboundRefused as refused:
            code = status.HTTP_409_CONFLICT if isinstance(refused, services.InboundConflict) else status.HTTP_400_BAD_REQUEST
            return ApiResponse({"detail": str(refused)}, status=code)
        body = {"id": message.pk, "message_id": message.message_id, "status": message.status,
                "problem": message.problem, "repeat": not created}
        if message.status == InboundStatus.NEEDS_REVIEW:
            body["detail"] = f"Stored for review: {message.problem}"
            return ApiResponse(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return ApiResponse(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
