"""Translate case records to and from JSON. Writes go through cases/services.py."""

from rest_framework import serializers

from cases.models import (
    Address,
    Allocation,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    Person,
    RiskAssessment,
)


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "line1", "suburb", "state", "postcode", "effective_from", "effective_to"]


class PersonSerializer(serializers.ModelSerializer):
    addresses = AddressSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id", "given_name", "family_name", "preferred_name", "date_of_birth", "date_of_birth_estimated",
            "indigenous_status", "cultural_identity", "language", "interpreter_required", "addresses",
        ]


class _ChildFactSerializer(serializers.ModelSerializer):
    member = serializers.PrimaryKeyRelatedField(queryset=CaseMember.objects.all())

    def validate_member(self, member):
        # Only members of cases the requester may see can be named; others look absent.
        visible = self.context["visible_cases"]
        if not visible.filter(pk=member.case_id).exists():
            raise serializers.ValidationError("No such case member.")
        return member


class LegalStatusSerializer(_ChildFactSerializer):
    class Meta:
        model = LegalStatus
        fields = ["id", "member", "intervention_type", "effective_from", "effective_to"]


class ChildGoalSerializer(_ChildFactSerializer):
    class Meta:
        model = ChildGoal
        fields = ["id", "member", "goal", "effective_from", "effective_to"]


class LivingArrangementSerializer(_ChildFactSerializer):
    class Meta:
        model = LivingArrangement
        fields = ["id", "member", "kind", "with_person", "placement", "details", "effective_from", "effective_to"]


class MemberSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    legal_statuses = LegalStatusSerializer(many=True, read_only=True)
    goals = ChildGoalSerializer(many=True, read_only=True)
    living_arrangements = LivingArrangementSerializer(many=True, read_only=True)
    case = serializers.SlugRelatedField(slug_field="reference", queryset=Case.objects.all())

    class Meta:
        model = CaseMember
        fields = ["id", "case", "person", "role", "relationship", "joined_on", "left_on",
                  "legal_statuses", "goals", "living_arrangements"]

    def validate_case(self, case):
        if not self.context["visible_cases"].filter(pk=case.pk).exists():
            raise serializers.ValidationError("No such case.")
        return case


class RiskAssessmentSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", queryset=Case.objects.all())

    class Meta:
        model = RiskAssessment
        fields = ["id", "case", "tool", "completed_on", "risk_level", "approved_by", "notes"]

    def validate_case(self, case):
        if not self.context["visible_cases"].filter(pk=case.pk).exists():
            raise serializers.ValidationError("No such case.")
        return case


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allocation
        fields = ["caseworker", "team", "started_on", "ended_on", "reason"]


class CaseSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)
    risk_assessments = RiskAssessmentSerializer(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)
    risk_level = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "team", "caseworker", "opened_on", "substantiated_on", "closed_on", "phase",
                  "risk_level", "members", "risk_assessments", "allocations"]
        read_only_fields = ["reference"]
