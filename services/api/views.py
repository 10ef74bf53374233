"""REST endpoints of the directory and of referrals: the same rules as the pages.

The directory is read by all staff and written by administrators. Referrals are listed
from the cases the user may see (others answer 404); writes need EDIT on the case
(403 when the case is visible but may not be changed). Status changes go only along the
table in services/rules.py: anything else answers 400 with the reason, nothing changed."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.api.views import VisibleCasesContextMixin, _domain_errors
from cases.permissions import Action, require
from services import selectors, services
from services.api import serializers
from services.models import CostApproval, Service, ServiceProvider


class DirectoryPermission(permissions.BasePermission):
    message = "Only administrators manage the service directory."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or services.may_manage_directory(request.user)


class _DirectoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """No delete: a provider or service that stops is made inactive."""

    permission_classes = [DirectoryPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _save(self, serializer, instance):
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = _domain_errors(lambda: services.directory_save(user=self.request.user,
                                                                             instance=instance))

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class ServiceProviderViewSet(_DirectoryViewSet):
    queryset = ServiceProvider.objects.prefetch_related("services").order_by("name")
    serializer_class = serializers.ServiceProviderSerializer
    filterset_fields = ["active"]
    search_fields = ["name"]


class ServiceViewSet(_DirectoryViewSet):
    queryset = Service.objects.select_related("provider").order_by("provider__name", "name")
    serializer_class = serializers.ServiceSerializer
    filterset_fields = ["service_type", "provider", "active"]
    search_fields = ["name", "provider__name", "area_served"]


class ReferralViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ReferralSerializer
    filterset_fields = ["status", "case__reference", "service"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.referral_list(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("status", "draft") != "draft":
            raise ValidationError({"status": "A referral starts as a draft; change its status with /transition/."})
        serializer.instance = _domain_errors(lambda: services.referral_create(
            user=self.request.user, case=data["case"], service=data["service"], people=data["people"],
            reason=data["reason"], self_referral=data.get("self_referral", False),
            self_referred_by=data.get("self_referred_by"), support_given=data.get("support_given", ""),
            plan_action=data.get("plan_action")))

    @transaction.atomic
    def perform_update(self, serializer):
        """Draft fields and a status change together: all or nothing."""
        data = dict(serializer.validated_data)
        referral = serializer.instance
        if "case" in data and data.pop("case") != referral.case:
            raise ValidationError({"case": "A referral cannot move to another case."})
        new_status = data.pop("status", referral.status)
        lock_version = data.pop("lock_version")
        if data:
            referral = _domain_errors(lambda: services.referral_update(user=self.request.user, referral=referral,
                                                                      lock_version=lock_version, **data))
        if new_status != referral.status:
            referral = _domain_errors(lambda: services.referral_transition(
                user=self.request.user, referral=referral, to_status=new_status))
        serializer.instance = referral

    def _fresh(self, pk):
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the referral one step along the status table (400 with the reason otherwise)."""
        referral, values = self._edit(request, pk, serializers.TransitionSerializer)
        _domain_errors(lambda: services.referral_transition(
            user=request.user, referral=referral, to_status=values["status"], on=values.get("on"),
            note=values["note"], alternatives=values["alternatives"]))
        return self._fresh(referral.pk)

    @extend_schema(request=serializers.CostRequestSerializer, responses={201: serializers.CostApprovalSerializer})
    @action(detail=True, methods=["post"], url_path="cost-approval")
    def cost_approval(self, request, pk=None):
        """Confirm the cost and ask a financial delegate to approve the payment."""
        referral, data = self._edit(request, pk, serializers.CostRequestSerializer)
        approval = _domain_errors(lambda: services.referral_cost_request(user=request.user, referral=referral,
                                                                         **data))
        return Response(serializers.CostApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.CostDecisionSerializer, responses=serializers.CostApprovalSerializer)
    @action(detail=True, methods=["post"], url_path="cost-decision")
    def cost_decision(self, request, pk=None):
        """A financial delegate approves or declines the pending payment, with a comment.

        Deciding needs only sight of the case (a delegate may be a manager), not EDIT."""
        referral = get_object_or_404(self.get_queryset(), pk=pk)
        if not selectors.is_financial_delegate(request.user):
            return Response({"detail": "Only a financial delegate can approve or decline a payment."},
                            status=status.HTTP_403_FORBIDDEN)
        approval = CostApproval.objects.filter(referral=referral, status="pending").first()
        if approval is None:
            raise ValidationError({"detail": "No payment for this referral is waiting for a decision."})
        data = serializers.CostDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = _domain_errors(lambda: services.referral_cost_decide(user=request.user, approval=approval,
                                                                        **data.validated_data))
        return Response(serializers.CostApprovalSerializer(approval).data)


    def _edit(self, request, pk, serializer_class):
        referral = self.get_object()
        require(request.user, Action.EDIT, referral.case)
        data = serializer_class(data=request.data, context={**self.get_serializer_context(), "case": referral.case})
        data.is_valid(raise_exception=True)
        return referral, dict(data.validated_data)

    @extend_schema(request=serializers.FamilyInformationSerializer, responses=serializers.ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="family-information")
    def family_information(self, request, pk=None):
        """Record what the child, parents or carer were told about how and when to access the service."""
        referral, data = self._edit(request, pk, serializers.FamilyInformationSerializer)
        _domain_errors(lambda: services.family_information_record(user=request.user, referral=referral, **data))
        return self._fresh(referral.pk)

    @extend_schema(request=serializers.CommunicationPlanSerializer, responses=serializers.CommunicationPlanSerializer)
    @action(detail=True, methods=["post"], url_path="communication-plan")
    def communication_plan(self, request, pk=None):
        """Agree or change the communication plan (once the provider has accepted)."""
        referral, data = self._edit(request, pk, serializers.CommunicationPlanSerializer)
        data["next_review_on"] = data.pop("referral", {}).get("next_review_on")
        plan = _domain_errors(lambda: services.communication_plan_save(user=request.user, referral=referral, **data))
        return Response(serializers.CommunicationPlanSerializer(plan).data)

    @extend_schema(request=serializers.ProviderUpdateSerializer, responses={201: serializers.ProviderUpdateSerializer})
    @action(detail=True, methods=["post"], url_path="updates")
    def updates(self, request, pk=None):
        """Record an update from the provider; the next one falls due from its date."""
        referral, data = self._edit(request, pk, serializers.ProviderUpdateSerializer)
        update = _domain_errors(lambda: services.provider_update_record(user=request.user, referral=referral, **data))
        return Response(serializers.ProviderUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
