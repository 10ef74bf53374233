"""Translate the directory and referrals to and from JSON. Writes go through services/services.py."""

from rest_framework import serializers

from cases.api.versioning import VersionedSerializer
from cases.permissions import VisibleCaseField, VisibleRelatedField
from services import rules
from services.models import (
    CommunicationPlan,
    CostApproval,
    InformationMethod,
    PaymentMethod,
    ProviderUpdate,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Service,
    ServiceProvider,
)


class ServiceSerializer(serializers.ModelSerializer):
    costs_money = serializers.BooleanField(read_only=True)

    class Meta:
        model = Service
        fields = ["id", "provider", "name", "service_type", "area_served", "how_to_refer", "cost_per_session",
                  "typical_wait_days", "active", "costs_money"]


class ServiceProviderSerializer(serializers.ModelSerializer):
    services = ServiceSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceProvider
        fields = ["id", "name", "phone", "email", "address", "website", "active", "services"]


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.StringRelatedField()

    class Meta:
        model = ReferralStatusChange
        fields = ["from_status", "to_status", "on", "changed_by", "recorded_at", "note"]


class CostApprovalSerializer(serializers.ModelSerializer):
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = CostApproval
        fields = ["id", "cost_per_session", "sessions", "total", "payment_method", "requested_by", "requested_at",
                  "status", "decided_by", "decided_at", "comment"]


class ReferralSerializer(VersionedSerializer):
    case = VisibleCaseField()
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.select_related("provider"))
    people = VisibleRelatedField("member", many=True)
    self_referred_by = VisibleRelatedField("member", required=False, allow_null=True)
    plan_action = VisibleRelatedField("plan_action", required=False, allow_null=True,
                                      help_text="An action of the case's plan the referral carries out")
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    cost_status = serializers.CharField(read_only=True, allow_null=True)
    last_update_on = serializers.DateField(read_only=True, allow_null=True)
    last_contact_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = ["id", "case", "service", "people", "reason", "plan_action", "status", "self_referral",
                  "self_referred_by",
                  "support_given", "unable_note", "alternatives_considered", "active_on", "ended_on",
                  "next_review_on", "cost_status", "last_update_on", "last_contact_on", "created_at",
                  "status_changes", "lock_version"]
        read_only_fields = ["unable_note", "alternatives_considered", "active_on", "ended_on", "next_review_on",
                            "created_at"]


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices,
                                     help_text="Allowed steps: " + "; ".join(
                                         f"{k} → {', '.join(v)}" for k, v in rules.TRANSITIONS.items() if v))
    on = serializers.DateField(required=False, help_text="The day it happened; today when left out")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    alternatives = serializers.CharField(required=False, allow_blank=True, default="")


class CostRequestSerializer(serializers.Serializer):
    cost_per_session = serializers.DecimalField(max_digits=8, decimal_places=2)
    sessions = serializers.IntegerField(min_value=1, max_value=500)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)


class CostDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class FamilyInformationSerializer(serializers.Serializer):
    given_to = VisibleRelatedField("member", many=True)  # of the referral's case (context["case"])
    given_on = serializers.DateField()
    method = serializers.ChoiceField(choices=InformationMethod.choices)
    details = serializers.CharField()


class CommunicationPlanSerializer(serializers.ModelSerializer):
    next_review_on = serializers.DateField(required=False, allow_null=True, source="referral.next_review_on")

    class Meta:
        model = CommunicationPlan
        fields = ["provider_contact_name", "provider_contact_role", "provider_contact_phone", "provider_contact_email",
                  "method", "every_days", "family_communication", "invited_to_reviews", "started_on",
                  "next_update_due", "next_review_on"]
        read_only_fields = ["next_update_due"]
        extra_kwargs = {"started_on": {"required": False}}


class ProviderUpdateSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = ProviderUpdate
        fields = ["id", "received_on", "method", "summary", "recorded_by", "recorded_at"]
