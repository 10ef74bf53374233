"""Translate case records to and from JSON. Writes go through cases/services.py.

Fields that name another record (a case, a member, a person, a team leader) resolve through
cases/permissions.py (``casework.api.VisibleCaseField`` / ``VisibleRelatedField``): one the
requester may not name answers exactly like one that does not exist."""

from rest_framework import serializers

from cases.api.versioning import MISSING, VersionedSerializer
from cases.models import (
    Address,
    Allocation,
    Attachment,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    Person,
    RiskAssessment,
)
from cases.permissions import VisibleCaseField, VisibleRelatedField


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "line1", "suburb", "state", "postcode", "effective_from", "effective_to"]


class PersonSerializer(VersionedSerializer):
    addresses = AddressSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id", "given_name", "family_name", "preferred_name", "date_of_birth", "date_of_birth_estimated",
            "indigenous_status", "cultural_identity", "language", "interpreter_required", "addresses",
            "lock_version",
        ]


class _ChildFactSerializer(VersionedSerializer):
    member = VisibleRelatedField("member", in_case=False, help_text="A child of the case")
    end_current = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="End the child's current open-ended record the day before this one starts, instead of "
                  "refusing the overlap.")
    case_field = "member"  # the child says which case the record is about


class LegalStatusSerializer(_ChildFactSerializer):
    class Meta:
        model = LegalStatus
        fields = ["id", "member", "intervention_type", "effective_from", "effective_to", "end_current", "lock_version"]


class ChildGoalSerializer(_ChildFactSerializer):
    class Meta:
        model = ChildGoal
        fields = ["id", "member", "goal", "effective_from", "effective_to", "end_current", "lock_version"]


class LivingArrangementSerializer(_ChildFactSerializer):
    with_person = VisibleRelatedField(
        "person", required=False, allow_null=True,
        help_text="The parent (at home) or carer (in care): a member of the same case")

    class Meta:
        model = LivingArrangement
        fields = ["id", "member", "kind", "with_person", "placement", "details", "effective_from", "effective_to",
                  "end_current", "lock_version"]


class MemberSerializer(VersionedSerializer):
    person = PersonSerializer(required=False, help_text="A new person; or name an existing one in existing_person")
    existing_person = VisibleRelatedField(
        "person", in_case=False, required=False, write_only=True,
        help_text="A person already recorded in a case you may see (instead of a new person)")
    legal_statuses = LegalStatusSerializer(many=True, read_only=True)
    goals = ChildGoalSerializer(many=True, read_only=True)
    living_arrangements = LivingArrangementSerializer(many=True, read_only=True)
    case = VisibleCaseField()

    class Meta:
        model = CaseMember
        fields = ["id", "case", "person", "existing_person", "role", "relationship", "joined_on", "left_on",
                  "legal_statuses", "goals", "living_arrangements", "lock_version"]
        # "A person once per case" is checked by the service (with a message naming the person);
        # DRF's unique-together validator would demand a nested person even for an existing one.
        validators = []

    def validate(self, data):
        if self.instance is None and ("person" in data) == ("existing_person" in data):
            raise serializers.ValidationError({"person": "Give either a new person or an existing_person."})
        if self.instance is not None:
            if "existing_person" in data:
                raise serializers.ValidationError({"existing_person": "The person of a membership cannot change."})
            if "case" in data and data["case"].pk != self.instance.case_id:
                raise serializers.ValidationError({"case": "A membership cannot move to another case."})
            if "person" in data and data["person"].get("lock_version") is None:
                raise serializers.ValidationError({"person": {"lock_version": MISSING}})
        return super().validate(data)  # the membership's own lock_version (VersionedSerializer)


class RiskAssessmentSerializer(VersionedSerializer):
    case = VisibleCaseField()
    approved_by = VisibleRelatedField("leader", required=False, allow_null=True,
                                      help_text="A team leader of the case's team")

    class Meta:
        model = RiskAssessment
        fields = ["id", "case", "tool", "completed_on", "risk_level", "approved_by", "notes", "lock_version"]


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allocation
        fields = ["caseworker", "team", "started_on", "ended_on", "reason"]
        read_only_fields = fields  # allocations change by reallocation, not through the API


class CaseSerializer(VersionedSerializer):
    caseworker = VisibleRelatedField("caseworker", in_case=False,
                                     help_text="A caseworker of a team in which you may open cases")
    members = MemberSerializer(many=True, read_only=True)
    risk_assessments = RiskAssessmentSerializer(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)
    risk_level = serializers.CharField(read_only=True, allow_null=True,
                                       help_text="Outcome of the latest family risk (re-)evaluation or "
                                                 "reunification assessment")

    class Meta:
        model = Case
        fields = ["id", "reference", "team", "caseworker", "opened_on", "substantiated_on", "closed_on", "phase",
                  "risk_level", "restricted", "members", "risk_assessments", "allocations", "lock_version"]
        # Restricting access is a team leader's decision with a reason, made on the case's page.
        read_only_fields = ["reference", "closed_on", "restricted"]


class AttachmentSerializer(serializers.ModelSerializer):
    """A document or photo on a case. Upload as ``multipart/form-data`` with ``file``; its type
    is told from its content. ``target_kind``/``target_id`` name the record of the case it is on
    (none for the case itself); an id one may not name answers like one that does not exist."""

    case = VisibleCaseField()
    file = serializers.FileField(write_only=True)
    target_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    uploaded_by = serializers.StringRelatedField()
    withdrawn_by = serializers.StringRelatedField(allow_null=True)
    withdrawn = serializers.BooleanField(read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "case", "target_kind", "target_id", "title", "file", "original_name", "file_type", "size",
                  "sha256", "uploaded_by", "uploaded_at", "withdrawn", "withdrawn_at", "withdrawn_by",
                  "withdrawn_reason"]
        read_only_fields = ["original_name", "file_type", "size", "sha256", "uploaded_at", "withdrawn_at",
                            "withdrawn_reason"]


class AttachmentWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
