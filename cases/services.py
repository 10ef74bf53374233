"""Writes to case records. Every function is keyword-only, atomic, and raises
:class:`CaseworkError` with a message fit to show a user."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import attachment_rules
from cases.errors import CaseworkError
from cases.extensions import check_fact, facts_changed
from cases.locking import claim
from cases.models import (
    Address,
    Allocation,
    Attachment,
    AttachmentTarget,
    Case,
    CaseLook,
    CaseMember,
    CaseReferenceCounter,
    LivingKind,
    MemberRole,
    Person,
    Phase,
    RestrictedCaseStaff,
    RiskAssessment,
    Role,
    Team,
)
from cases.permissions import (
    Action,
    record_in_case,
    require,
    staff_to_name,
    teams_for_new_cases,
    teams_for_reallocation,
    visible_cases,
    visible_people,
)
from casework.dates import day_label


def case_references_allocate(*, year: int, count: int = 1) -> list[str]:
    """Issue ``count`` new sequential reference numbers for ``year``, e.g. QLD-2026-000123.

    The counter row is locked, so concurrent requests never receive the same number."""
    prefix = settings.CASE_REFERENCE_PREFIX
    with transaction.atomic():
        # Created once per prefix and year; the unique constraint settles a race to create it.
        if not CaseReferenceCounter.objects.filter(prefix=prefix, year=year).exists():
            try:
                with transaction.atomic():
                    CaseReferenceCounter.objects.create(prefix=prefix, year=year)
            except IntegrityError:
                pass
        counter = CaseReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
        first = counter.last_number + 1
        counter.last_number += count
        counter.save(update_fields=["last_number"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def _save(instance, user, **kwargs):
    """Save, naming ``user`` in the record history even when no request is running (API, tasks, shell)."""
    instance._history_user = user
    instance.save(**kwargs)
    return instance


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise CaseworkError("; ".join(error.messages)) from error


@transaction.atomic
def case_create(*, user, team: Team, caseworker, opened_on: dt.date, substantiated_on: dt.date | None = None,
                phase: str = Phase.CASE_PLANNING) -> Case:
    if not teams_for_new_cases(user).filter(pk=team.pk).exists():
        raise CaseworkError("You may only open cases in your own team.")
    if caseworker.role != Role.CASEWORKER or caseworker.team_id != team.pk:
        raise CaseworkError("The allocated caseworker must be a caseworker of the case's team.")
    if phase == Phase.CLOSED:
        raise CaseworkError("A new case cannot start in the Closed phase.")
    case = Case(team=team, caseworker=caseworker, opened_on=opened_on, substantiated_on=substantiated_on, phase=phase)
    _full_clean(case, exclude=["reference"])
    case.reference = case_references_allocate(year=opened_on.year)[0]
    _save(case, user)
    _save(Allocation(case=case, caseworker=caseworker, team=team, started_on=opened_on, reason="Case opened",
                     allocated_by=user), user)
    if not visible_cases(user, Case.objects.filter(pk=case.pk)).exists():
        raise CaseworkError("The case would not be visible to you after saving.")
    return case


CASE_FIELDS_EDITABLE = {"substantiated_on", "phase", "closed_on"}


@transaction.atomic
def case_update(*, user, case: Case, lock_version: int | None, **fields) -> Case:
    """Change a case's dates or phase. The caseworker and team change only by reallocation.
    ``lock_version`` is the version the person read (None: a workflow's own write)."""
    require(user, Action.EDIT, case)
    unknown = set(fields) - CASE_FIELDS_EDITABLE
    if unknown:
        raise CaseworkError("Only the substantiation date, phase and closing date can be changed here; "
                            "reallocate the case to change its caseworker or team.")
    claim(case, lock_version, thing="case")
    if lock_version is None:
        case.refresh_from_db()
    before = {name: getattr(case, name) for name in fields}
    for name, value in fields.items():
        setattr(case, name, value)
    _full_clean(case)
    _save(case, user)
    if "closed_on" in fields and before["closed_on"] != case.closed_on:
        # Closing (or correcting the closing date, or reopening) changes every month from
        # the earlier of the two dates on, including months before today's.
        since = min(d for d in (before["closed_on"], case.closed_on) if d is not None)
        facts_changed(case_id=case.pk, since=since, by=user)
    elif any(before[name] != getattr(case, name) for name in fields):
        facts_changed(case_id=case.pk, since=timezone.localdate(), by=user)
    return case


@transaction.atomic
def case_reallocate(*, user, case: Case, caseworker, team: Team | None = None, reason: str,
                    on: dt.date | None = None) -> Case:
    """Transfer case responsibility to another caseworker (and team), keeping the history."""
    require(user, Action.ALLOCATE, case)
    team = team or case.team
    on = on or timezone.localdate()
    if team.pk != case.team_id and not teams_for_reallocation(user).filter(pk=team.pk).exists():
        raise CaseworkError("You may only transfer a case to a team you lead or, as a manager, "
                            "to a team of your offices.")
    if caseworker.role != Role.CASEWORKER or caseworker.team_id != team.pk:
        raise CaseworkError("The new caseworker must be a caseworker of the receiving team.")
    if caseworker.pk == case.caseworker_id and team.pk == case.team_id:
        raise CaseworkError("The case is already allocated to this caseworker.")
    if not reason.strip():
        raise CaseworkError("Give a reason for the reallocation.")
    if on > timezone.localdate():
        raise CaseworkError("A reallocation cannot take effect in the future.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    claim(case, None, thing="case")  # a case edit opened before the transfer must not undo it
    current = Allocation.objects.filter(case=case, ended_on__isnull=True).first()
    if current and on < current.started_on:
        raise CaseworkError(f"The current allocation started on {day_label(current.started_on)}; "
                            "a reallocation cannot take effect before it.")
    if current:
        current.ended_on = on
        _save(current, user, update_fields=["ended_on"])  # a save, not update(), so the history keeps it
    _save(Allocation(case=case, caseworker=caseworker, team=team, started_on=on, reason=reason, allocated_by=user),
          user)
    case.caseworker = caseworker
    case.team = team
    _save(case, user, update_fields=["caseworker", "team"])
    facts_changed(case_id=case.pk, since=on, by=user)
    return case


def _restricting(user, case: Case) -> Case:
    """The case, locked, once ``user`` is known to be a leader of its team (404/403 otherwise)."""
    require(user, Action.RESTRICT, case)
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_restrict(*, user, case: Case, reason: str) -> Case:
    """Restrict access to ``case``: from now only its caseworker, its team's leaders and the
    staff named on it see it. The reason is kept in the case's history."""
    case = _restricting(user, case)
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError("Give the reason access to this case is restricted.")
    if len(reason) > Case._meta.get_field("restricted_reason").max_length:
        raise CaseworkError("Keep the reason to 300 characters.")
    if case.restricted:
        raise CaseworkError("Access to this case is already restricted.")
    case.restricted, case.restricted_reason = True, reason
    case.restricted_by, case.restricted_at = user, timezone.now()
    return _save(case, user, update_fields=["restricted", "restricted_reason", "restricted_by", "restricted_at"])


@transaction.atomic
def case_unrestrict(*, user, case: Case) -> Case:
    """Lift the restriction: the case is seen as any other again; the named list is cleared."""
    case = _restricting(user, case)
    if not case.restricted:
        raise CaseworkError("Access to this case is not restricted.")
    for entry in RestrictedCaseStaff.objects.filter(case=case):
        entry._history_user = user
        entry.delete()  # one by one, so the history records each removal and by whom
    case.restricted, case.restricted_reason, case.restricted_by, case.restricted_at = False, "", None, None
    return _save(case, user, update_fields=["restricted", "restricted_reason", "restricted_by", "restricted_at"])


@transaction.atomic
def case_restricted_staff_add(*, user, case: Case, staff) -> RestrictedCaseStaff:
    """Name ``staff`` on a restricted case, so they see it too."""
    case = _restricting(user, case)
    if not case.restricted:
        raise CaseworkError("Restrict access to the case before naming staff who may see it.")
    if staff is None or not staff_to_name(case).filter(pk=staff.pk).exists():
        raise CaseworkError("Choose an active member of staff who does not already see this case.")
    return _save(RestrictedCaseStaff(case=case, user=staff, added_by=user), user)


@transaction.atomic
def case_restricted_staff_remove(*, user, case: Case, staff) -> None:
    """Take ``staff`` off a restricted case's named list; they no longer see it (unless allocated)."""
    case = _restricting(user, case)
    entry = RestrictedCaseStaff.objects.filter(case=case, user=staff).first() if staff is not None else None
    if entry is None:
        raise CaseworkError("This member of staff is not named on the case.")
    entry._history_user = user
    entry.delete()


@transaction.atomic
def person_save(*, user, person: Person, case: Case | None = None, lock_version: int | None = None) -> Person:
    """Create or update a person. A new person must be added to a case the user may edit; a
    change of a recorded person needs the ``lock_version`` it was read with."""
    if case is not None:
        require(user, Action.EDIT, case)
        if person.pk is not None and not CaseMember.objects.filter(case=case, person=person).exists():
            raise CaseworkError("The person does not belong to this case.")
    elif person.pk is None:
        raise CaseworkError("A new person must be added to a case.")
    else:
        editable = visible_cases(user).filter(members__person=person, closed_on__isnull=True)
        if user.role == Role.MANAGER or not editable.exists():
            raise CaseworkError("You may not change this person's details.")
    _full_clean(person)
    if person.pk is not None:
        if lock_version is None:
            raise TypeError("changing a person needs the lock_version it was read with")
        claim(person, lock_version, thing="person's details")
    renamed = person.pk is not None and Person.objects.filter(pk=person.pk).exclude(
        given_name=person.given_name).exists()
    _save(person, user)
    if renamed:
        # The name is one of the facts a month's evaluation reads (its lines name the
        # people): every case the person is in changed, from the day they joined it.
        for case_id, joined_on in CaseMember.objects.filter(person=person).values_list("case_id", "joined_on"):
            facts_changed(case_id=case_id, since=joined_on, by=user)
    return person


@transaction.atomic
def member_add(*, user, case: Case, person: Person, role: str, relationship: str = "",
               joined_on: dt.date) -> CaseMember:
    """Add a person to a case: a new person (unsaved ``person``) or one already recorded in
    another case, who must belong to a case ``user`` may see."""
    require(user, Action.EDIT, case)
    if person.pk is None:
        _full_clean(person)
        _save(person, user)
    elif not visible_people(user).filter(pk=person.pk).exists():
        raise CaseworkError("No such person.")
    if CaseMember.objects.filter(case=case, person=person).exists():
        raise CaseworkError(f"{person} is already a member of this case.")
    if joined_on < case.opened_on:
        raise CaseworkError("A person cannot join the case before it opened.")
    member = CaseMember(case=case, person=person, role=role, relationship=relationship, joined_on=joined_on)
    _full_clean(member)
    _save(member, user)
    facts_changed(case_id=case.pk, since=joined_on, by=user)
    return member


@transaction.atomic
def member_and_person_update(*, user, member: CaseMember, person: Person, person_lock_version: int,
                             lock_version: int, **member_fields) -> CaseMember:
    """Correct a member's details and their person's (one person may be in several cases:
    the person's details change everywhere), all or nothing; each refused if saved since read."""
    if person.pk != member.person_id:
        raise CaseworkError("The person of a membership cannot change.")
    person_save(user=user, person=person, case=member.case, lock_version=person_lock_version)
    return member_update(user=user, member=member, lock_version=lock_version, **member_fields)


@transaction.atomic
def member_update(*, user, member: CaseMember, lock_version: int | None, **fields) -> CaseMember:
    """Change a membership (role, dates); ``lock_version`` as read (None: a workflow's own write)."""
    require(user, Action.EDIT, member.case)
    claim(member, lock_version, thing="membership")
    stored = CaseMember.objects.filter(pk=member.pk).values("joined_on", "left_on", "role").first() or {}
    for name, value in fields.items():
        setattr(member, name, value)
    _full_clean(member)
    _save(member, user)
    # The months that change start at the earliest date that moved (a member leaving changes
    # nothing before the day they left); a new role changes every month of the membership.
    if stored.get("role", member.role) != member.role:
        changed = [stored.get("joined_on"), member.joined_on]
    else:
        changed = [day for name in ("joined_on", "left_on") if stored.get(name) != getattr(member, name)
                   for day in (stored.get(name), getattr(member, name))]
    since = min((day for day in changed if day), default=None)
    if since is not None:
        facts_changed(case_id=member.case_id, since=since, by=user)
    return member


# Who a child can live with, by kind of living arrangement (roles of members of the same case).
LIVES_WITH_ROLES = {
    LivingKind.AT_HOME: {MemberRole.PARENT},
    LivingKind.IN_CARE: {MemberRole.CARER, MemberRole.FAMILY, MemberRole.SIGNIFICANT},
    LivingKind.PERMANENT_GUARDIAN: {MemberRole.CARER, MemberRole.FAMILY, MemberRole.SIGNIFICANT},
    LivingKind.OTHER: {MemberRole.PARENT, MemberRole.CARER, MemberRole.FAMILY, MemberRole.SIGNIFICANT},
}


@transaction.atomic
def child_fact_record(*, user, fact, end_current: bool = False, lock_version: int | None = None):
    """Save a legal status, case plan goal or living arrangement for a child of a case.

    With ``end_current``, a new record that starts after the child's current open-ended one
    ends that one the day before (so "short-term custody from 1 March" ends the earlier
    status on 28 February); otherwise any overlap is refused. The child's rows are locked
    first, so two simultaneous saves cannot both pass the overlap check. Correcting a recorded
    one needs the ``lock_version`` it was read with."""
    fact.end_current = end_current
    case = fact.member.case
    require(user, Action.EDIT, case)
    list(type(fact).objects.select_for_update().filter(member_id=fact.member_id))
    if fact.pk is not None:
        stored = type(fact).objects.only("member_id").get(pk=fact.pk)
        if stored.member_id != fact.member_id:
            raise CaseworkError("A record cannot be moved to another child; end it and add a new one.")
        if lock_version is None:
            raise TypeError(f"changing a {fact._meta.verbose_name} needs the lock_version it was read with")
        claim(fact, lock_version, thing=str(fact._meta.verbose_name))
    stored_from = type(fact).objects.filter(pk=fact.pk).values_list("effective_from", flat=True).first()
    if fact.recorded_by_id is None:
        fact.recorded_by = user
    if fact.member.role != MemberRole.CHILD:
        raise CaseworkError("Only a child of the case has this record.")
    if fact.effective_from and fact.effective_from < fact.member.joined_on:
        raise CaseworkError("The start date is before the child joined the case.")
    if getattr(fact, "with_person_id", None):
        roles = LIVES_WITH_ROLES.get(fact.kind, set())
        lives_with = CaseMember.objects.filter(case=case, person_id=fact.with_person_id).first()
        if lives_with is None:
            raise CaseworkError("The person the child lives with must belong to the case.")
        if lives_with.role not in roles:
            kind = {LivingKind.AT_HOME: "at home, the child lives with a parent",
                    LivingKind.PERMANENT_GUARDIAN: "with their permanent guardian, the child lives with a carer "
                                                   "or family member"}.get(
                fact.kind, "in care, the child lives with a carer or family member")
            raise CaseworkError(f"When {kind} of the case; {lives_with.person} is recorded as "
                                f"{lives_with.get_role_display().lower()}.")
    check_fact(fact)
    superseded = fact.superseded() if end_current else None
    if superseded is not None:
        claim(superseded, None, thing=str(superseded._meta.verbose_name))
        superseded.effective_to = fact.effective_from - dt.timedelta(days=1)
        _full_clean(superseded)
        _save(superseded, user, update_fields=["effective_to"])
    _full_clean(fact)
    _save(fact, user)
    since = min((d for d in (stored_from, fact.effective_from) if d), default=case.opened_on)
    facts_changed(case_id=case.pk, since=since, by=user)
    return fact


@transaction.atomic
def address_record(*, user, case: Case, address: Address) -> Address:
    """Record where a member of ``case`` lives from a date. Their current open-ended address,
    if it started earlier, ends the day before; any other overlap is refused."""
    require(user, Action.EDIT, case)
    if not CaseMember.objects.filter(case=case, person_id=address.person_id).exists():
        raise CaseworkError("The person does not belong to this case.")
    earlier = list(Address.objects.select_for_update().filter(person_id=address.person_id).exclude(pk=address.pk))
    _full_clean(address)
    for other in earlier:
        if not address.overlaps(other):
            continue
        if address.pk is None and other.effective_to is None and other.effective_from < address.effective_from:
            other.effective_to = address.effective_from - dt.timedelta(days=1)
            _save(other, user, update_fields=["effective_to"])
        else:
            until = f"{day_label(other.effective_to)}" if other.effective_to else "now"
            raise CaseworkError(f"This overlaps the address {other} ({day_label(other.effective_from)} – {until}).")
    return _save(address, user)


@transaction.atomic
def risk_assessment_record(*, user, assessment: RiskAssessment, lock_version: int | None = None) -> RiskAssessment:
    """Record (or correct) a risk assessment. A newly named approver must lead the case's team.
    A correction needs the ``lock_version`` the assessment was read with."""
    require(user, Action.EDIT, assessment.case)
    stored = RiskAssessment.objects.filter(pk=assessment.pk).values("case_id", "approved_by_id").first()
    if stored and stored["case_id"] != assessment.case_id:
        raise CaseworkError("An assessment cannot be moved to another case.")
    if stored:
        if lock_version is None:
            raise TypeError("correcting a risk assessment needs the lock_version it was read with")
        claim(assessment, lock_version, thing="risk assessment")
    approver_changed = assessment.approved_by_id and (not stored or stored["approved_by_id"] != assessment.approved_by_id)
    if approver_changed and not (assessment.approved_by.role == Role.TEAM_LEADER and
                                 assessment.approved_by.led_teams.filter(pk=assessment.case.team_id).exists()):
        raise CaseworkError("A risk assessment is approved by a team leader of the case's team.")
    stored_on = RiskAssessment.objects.filter(pk=assessment.pk).values_list("completed_on", flat=True).first()
    _full_clean(assessment)
    _save(assessment, user)
    facts_changed(case_id=assessment.case_id, since=min(d for d in (stored_on, assessment.completed_on) if d),
                  by=user)
    return assessment


# --- The access log's retention (issue 12) ---------------------------------------------

ACCESS_LOG_PURGE_BATCH = 5000


@transaction.atomic
def access_log_purge_batch(*, before: dt.datetime, batch_size: int = ACCESS_LOG_PURGE_BATCH) -> int:
    """Delete up to ``batch_size`` looks older than ``before``, oldest first; how many went."""
    ids = list(CaseLook.objects.filter(at__lt=before).order_by("at").values_list("pk", flat=True)[:batch_size])
    return CaseLook.objects.filter(pk__in=ids).delete()[0] if ids else 0


def access_log_purge(*, now: dt.datetime, batch_size: int = ACCESS_LOG_PURGE_BATCH) -> int:
    """Delete the looks older than ``ACCESS_LOG_RETENTION_DAYS`` before ``now``, a batch per
    transaction (short locks, however many years are due); the number deleted."""
    before = now - dt.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted = 0
    while True:
        done = access_log_purge_batch(before=before, batch_size=batch_size)
        deleted += done
        if done < batch_size:
            return deleted


# --- Attachments (issue 16) ----------------------------------------------------------------


def attachment_storage():
    """Where attachments' bytes are kept: ``STORAGES["attachments"]`` (looked up on each use, so
    a test's settings override reaches it)."""
    from django.core.files.storage import storages

    return storages["attachments"]


def attachment_target(user, case: Case, kind: str, target_id) -> int | None:
    """The id of the record of ``case`` a document goes on, checked against what ``user`` may
    name in the case (one they may not answers like one that does not exist); None for the case."""
    if kind == AttachmentTarget.CASE:
        return None
    if kind not in AttachmentTarget.values:
        raise CaseworkError("Choose what the document is attached to.")
    record = record_in_case(user, case, kind, target_id)
    if record is None:
        raise CaseworkError(f"There is no such {kind} in {case.reference}.")
    return record.pk


def _read_head_and_digest(upload) -> tuple[bytes, str]:
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < attachment_rules.HEAD_BYTES:
            head += chunk[: attachment_rules.HEAD_BYTES - len(head)]
        digest.update(chunk)
    upload.seek(0)
    return head, digest.hexdigest()


@transaction.atomic
def attachment_upload(*, user, case: Case, upload, title: str = "", target_kind: str = AttachmentTarget.CASE,
                      target_id=None, now: dt.datetime | None = None) -> Attachment:
    """Attach ``upload`` (an uploaded file) to ``case`` or one of its records. Its type is told
    from its content (``cases.attachment_rules``); size and types from the settings. The bytes
    are stored first; if the row cannot be written the stored file is removed again, so nothing
    is kept half-way."""
    require(user, Action.EDIT, case)
    if upload is None:
        raise CaseworkError("Choose a file to attach.")
    target = attachment_target(user, case, target_kind, target_id)
    head, sha256 = _read_head_and_digest(upload)
    try:
        kind = attachment_rules.check(head, upload.size, allowed=settings.ATTACHMENT_TYPES,
                                      max_bytes=settings.ATTACHMENT_MAX_BYTES)
    except attachment_rules.RefusedFile as error:
        raise CaseworkError(str(error)) from error
    original = (upload.name or "").rsplit("/", 1)[-1][:255] or "attachment"
    title = (title or "").strip()[:200] or original.rsplit(".", 1)[0][:200] or "Attachment"
    storage = attachment_storage()
    # A name that says nothing about the child or the document; the case's id keeps folders small.
    name = storage.save(f"cases/{case.pk}/{uuid.uuid4().hex}.{attachment_rules.KINDS[kind].extension}", upload)
    try:
        attachment = Attachment(case=case, target_kind=target_kind, target_id=target, title=title,
                                original_name=original, file_type=kind, size=upload.size, sha256=sha256,
                                storage_name=name, uploaded_by=user, uploaded_at=now or timezone.now())
        _full_clean(attachment)
        _save(attachment, user)
    except BaseException:
        storage.delete(name)
        raise
    return attachment


@transaction.atomic
def attachment_withdraw(*, user, attachment: Attachment, reason: str, now: dt.datetime | None = None) -> Attachment:
    """Withdraw an attachment (it was the wrong file, on the wrong case…): it stays, with who,
    when and why, but ordinary users can no longer open it. Nothing is deleted."""
    require(user, Action.EDIT, attachment.case)
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.withdrawn:
        raise CaseworkError("This attachment was already withdrawn.")
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError("Say why the attachment is withdrawn.")
    attachment.withdrawn_at, attachment.withdrawn_by, attachment.withdrawn_reason = now or timezone.now(), user, reason
    _save(attachment, user)
    return attachment
