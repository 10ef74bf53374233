"""REST endpoints for case records: same rules as the pages (cases/permissions.py)."""

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cases import attachment_rules, selectors, services
from cases.access_log import note_look
from cases.api import serializers
from cases.api.versioning import domain_errors
from cases.models import (
    AttachmentTarget,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    LookHow,
    Person,
    Phase,
    RiskAssessment,
)
from cases.permissions import CaseAccessPermission, case_of, may_read_withdrawn, visible_cases
from cases.selectors import latest_risk_level_subquery

_domain_errors = domain_errors  # the name every app's endpoints import


class VisibleCasesContextMixin:
    """API views of case records: sign-in required; reads need VIEW, writes EDIT on the object's
    case. Ids in the body resolve through the serializers' VisibleCaseField / VisibleRelatedField."""

    permission_classes = [CaseAccessPermission]

    def paginate_queryset(self, queryset):
        """Each case a list page shows is a look (the detail's is noted by the permission)."""
        page = super().paginate_queryset(queryset)
        note_look([case_id for case_id in map(_case_id, page or []) if case_id is not None])
        return page


def _case_id(obj) -> int | None:
    """The case id of a listed record, read from the row (no query for its case); None for a
    record of no single case (an alert on a person)."""
    if isinstance(obj, Case):
        return obj.pk
    if hasattr(obj, "case_id"):
        return obj.case_id
    owner = getattr(obj, "member", None) or getattr(obj, "plan", None)  # a child's fact, a plan's part
    return owner.case_id if owner is not None else case_of(obj).pk


# The case with each membership: its reference is the "case" field of every one listed.
_MEMBERS = CaseMember.objects.select_related("person", "case").prefetch_related(
    "person__addresses", "legal_statuses", "goals", "living_arrangements"
)


class CaseViewSet(VisibleCasesContextMixin, viewsets.ModelViewSet):
    """Cases the user may see, with members, per-child facts and risk history."""

    serializer_class = serializers.CaseSerializer
    lookup_field = "reference"
    filterset_fields = {"team": ["exact"], "team__office": ["exact"], "caseworker": ["exact"],
                        "phase": ["exact"], "closed_on": ["isnull"], "opened_on": ["gte", "lte"]}
    ordering_fields = ["reference", "opened_on"]
    search_fields = ["reference", "members__person__given_name", "members__person__family_name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            visible_cases(self.request.user)
            .select_related("team", "caseworker")
            .annotate(risk_level=latest_risk_level_subquery())
            .prefetch_related(Prefetch("members", queryset=_MEMBERS), "risk_assessments", "allocations")
            .order_by("reference")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _domain_errors(lambda: services.case_create(
            user=self.request.user, team=data["team"], caseworker=data["caseworker"], opened_on=data["opened_on"],
            substantiated_on=data.get("substantiated_on"), **({"phase": data["phase"]} if "phase" in data else {})))

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in ("substantiated_on", "phase")}
        if set(serializer.validated_data) - set(data) - {"lock_version"}:
            raise ValidationError({"detail": "Only substantiated_on and phase can be changed here; "
                                             "reallocate the case to change the caseworker or team."})
        if data.get("phase") == Phase.CLOSED:
            raise ValidationError({"phase": "A case is closed through its closure recommendation, "
                                            "which sets the closing date."})
        serializer.instance = _domain_errors(lambda: services.case_update(
            user=self.request.user, case=serializer.instance,
            lock_version=serializer.validated_data["lock_version"], **data))


class _CaseScopedViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    case_path = "member__case"

    def get_queryset(self):
        return self.queryset.filter(**{f"{self.case_path}__in": visible_cases(self.request.user)})


class MemberViewSet(_CaseScopedViewSet):
    queryset = _MEMBERS
    serializer_class = serializers.MemberSerializer
    case_path = "case"
    filterset_fields = ["case__reference", "role", "person"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.get("person", {}).pop("lock_version", None)
        person = data.get("existing_person") or Person(**data["person"])
        serializer.instance = _domain_errors(lambda: services.member_add(
            user=self.request.user, case=data["case"], person=person, role=data["role"],
            relationship=data.get("relationship", ""), joined_on=data["joined_on"]))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        person_data = dict(data.pop("person", None) or {})
        data.pop("case", None)
        person = serializer.instance.person
        person_lock_version = person_data.pop("lock_version", person.lock_version)  # unchanged: not claimed
        for name, value in person_data.items():
            setattr(person, name, value)
        serializer.instance = _domain_errors(lambda: services.member_and_person_update(
            user=self.request.user, member=serializer.instance, person=person,
            person_lock_version=person_lock_version, **data))


class _ChildFactViewSet(_CaseScopedViewSet):
    filterset_fields = {"member": ["exact"], "member__case__reference": ["exact"], "effective_to": ["isnull"]}

    def _record(self, instance, end_current, lock_version=None):
        return _domain_errors(lambda: services.child_fact_record(user=self.request.user, fact=instance,
                                                                 end_current=end_current, lock_version=lock_version))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        end_current = data.pop("end_current", False)
        data.pop("lock_version", None)
        serializer.instance = self._record(serializer.Meta.model(**data), end_current)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("end_current", None)
        lock_version = data.pop("lock_version")
        for name, value in data.items():
            setattr(serializer.instance, name, value)
        serializer.instance = self._record(serializer.instance, False, lock_version)


class LegalStatusViewSet(_ChildFactViewSet):
    queryset = LegalStatus.objects.select_related("member__case")
    serializer_class = serializers.LegalStatusSerializer


class ChildGoalViewSet(_ChildFactViewSet):
    queryset = ChildGoal.objects.select_related("member__case")
    serializer_class = serializers.ChildGoalSerializer


class LivingArrangementViewSet(_ChildFactViewSet):
    queryset = LivingArrangement.objects.select_related("member__case")
    serializer_class = serializers.LivingArrangementSerializer


class RiskAssessmentViewSet(_CaseScopedViewSet):
    queryset = RiskAssessment.objects.select_related("case")
    serializer_class = serializers.RiskAssessmentSerializer
    case_path = "case"
    filterset_fields = ["case__reference", "tool", "risk_level"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        assessment = RiskAssessment(**data)
        serializer.instance = _domain_errors(
            lambda: services.risk_assessment_record(user=self.request.user, assessment=assessment))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        lock_version = data.pop("lock_version")
        for name, value in data.items():
            setattr(serializer.instance, name, value)
        serializer.instance = _domain_errors(lambda: services.risk_assessment_record(
            user=self.request.user, assessment=serializer.instance, lock_version=lock_version))


class AttachmentViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Documents and photos of the cases one may see (``?case__reference=`` for one case's).
    ``/download/`` sends the file (``Content-Disposition: attachment``); ``/withdraw/`` takes it
    out of use with a reason (nothing is deleted; a withdrawn file is no longer sent)."""

    serializer_class = serializers.AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["case__reference", "target_kind"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.visible_attachments(self.request.user)

    def get_serializer_class(self):
        return serializers.AttachmentWithdrawSerializer if self.action == "withdraw" else super().get_serializer_class()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _domain_errors(lambda: services.attachment_upload(
            user=self.request.user, case=data["case"], upload=data["file"], title=data.get("title", ""),
            target_kind=data.get("target_kind", AttachmentTarget.CASE), target_id=data.get("target_id")))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[])
    def download(self, request, pk=None):
        attachment = self.get_object()
        if attachment.withdrawn and not may_read_withdrawn(request.user, attachment.case):
            raise Http404("No such attachment.")
        kind = attachment_rules.KINDS[attachment.file_type]
        response = FileResponse(services.attachment_storage().open(attachment.storage_name, "rb"),
                                as_attachment=True, content_type=kind.content_type,
                                filename=attachment_rules.download_name(attachment.original_name,
                                                                        attachment.file_type))
        response["X-Content-Type-Options"] = "nosniff"
        response.access_log_how, response.access_log_what = LookHow.DOWNLOAD, f"attachment {attachment.pk}"
        return response

    @extend_schema(request=serializers.AttachmentWithdrawSerializer, responses=serializers.AttachmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        attachment = self.get_object()
        body = serializers.AttachmentWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = _domain_errors(lambda: services.attachment_withdraw(
            user=request.user, attachment=attachment, reason=body.validated_data["reason"]))
        return Response(serializers.AttachmentSerializer(attachment, context=self.get_serializer_context()).data)
