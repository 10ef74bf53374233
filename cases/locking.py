"""Optimistic locking: one shape for every record that people change.

A record people edit carries ``lock_version`` (:class:`Versioned`). A form or an API client
sends back the version it read; the write first claims the row with
``UPDATE … SET lock_version = n + 1 WHERE id = … AND lock_version = n`` (:func:`claim`). A row
count of 0 means someone saved it since: the write is refused with :class:`StaleEdit`, which
names who, when and what they changed (from the record's history), and carries the current
version. Pages keep everything typed and show that change (``casework.views``), so saving again
applies one's own values knowingly; the API answers 409 with the same facts.

Writes of the system's own (a closure workflow, reallocation, the simulation) pass
``lock_version=None``: the row is locked and claimed at its current version, so the version
still moves and a form opened before them is refused rather than silently undoing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone

from cases.errors import CaseworkError


class Versioned(models.Model):
    """A record people change: a stale save of it is refused (see :func:`claim`)."""

    lock_version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every change; send back the one you read, a stale one is refused")

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str

    def __str__(self):
        return f"{self.field}: {self.before} → {self.after}"


STALE_MESSAGE = ("{who} saved this {thing} after you opened it ({when}){changes}. Your changes were not saved; "
                 "what you typed is still in the form. Compare it with their change, then save again to apply "
                 "yours over it.")


class StaleEdit(CaseworkError):
    """Someone saved the record after the person read it."""

    def __init__(self, *, obj, thing: str, who: str, when, changes: list[Change], current_version: int):
        self.obj, self.thing, self.who, self.when = obj, thing, who, when
        self.changes, self.current_version = changes, current_version
        listed = (": " + "; ".join(str(c) for c in changes)) if changes else ""
        when_text = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else "just now"
        super().__init__(STALE_MESSAGE.format(who=who, thing=thing, when=when_text, changes=listed))

    def as_api(self) -> dict:
        return {"detail": str(self), "lock_version": self.current_version,
                "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in self.changes]}


def _shown(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related is not None else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "year"):
        return formats.date_format(value)
    return str(value)


def _what_changed(obj, read_version: int) -> tuple[str, object, list[Change]]:
    """Who saved the record last, when, and what differs from the version ``read_version``."""
    history = getattr(obj, "history", None)
    if history is None:
        return "Someone else", None, []
    latest = history.order_by("-history_date", "-history_id").first()
    if latest is None:
        return "Someone else", None, []
    user = latest.history_user
    who = (user.get_full_name() or user.username) if user else "Someone else"
    read = history.filter(lock_version=read_version).order_by("-history_date", "-history_id").first()
    changes = []
    if read is not None and read.pk != latest.pk:
        excluded = [f.name for f in type(obj)._meta.concrete_fields
                    if f.name in ("lock_version", "created_at", "updated_at") or not f.editable]
        delta = latest.diff_against(read, excluded_fields=excluded)
        for change in delta.changes:
            field = type(obj)._meta.get_field(change.field)
            changes.append(Change(str(field.verbose_name).capitalize(), _shown(field, change.old),
                                  _shown(field, change.new)))
    return who, latest.history_date, changes


def claim(obj, lock_version: int | None, *, thing: str, extra: Q | None = None, refused=None) -> None:
    """Win the row at ``lock_version`` (None: at its current version, locked) or refuse.

    ``extra`` narrows the rows that may be claimed (e.g. "still a draft"); when the version
    matched but ``extra`` did not, ``refused(current)`` raises the reason (else "no longer
    exists")."""
    model = type(obj)
    if lock_version is None:
        lock_version = model.objects.select_for_update().values_list("lock_version", flat=True).get(pk=obj.pk)
    won = model.objects.filter(Q(pk=obj.pk, lock_version=lock_version) & (extra or Q())).update(
        lock_version=F("lock_version") + 1)
    if won:
        obj.lock_version = lock_version + 1
        return
    current = model.objects.filter(pk=obj.pk).first()
    if current is None:
        raise CaseworkError(f"This {thing} no longer exists.")
    if current.lock_version != lock_version:
        who, when, changes = _what_changed(current, lock_version)
        raise StaleEdit(obj=obj, thing=thing, who=who, when=when, changes=changes,
                        current_version=current.lock_version)
    if refused is not None:
        refused(current)
    raise CaseworkError(f"This {thing} can no longer be changed.")


MISSING_VERSION = ("This form was opened without the version of the record it changes, so a change saved by "
                   "someone else meanwhile could be undone. Open the form again from the case.")


class VersionedForm:
    """Mix into a form that changes a :class:`Versioned` record (``instance`` of a ModelForm,
    or ``record=``): it carries, hidden, the version the form was opened with, as
    ``cleaned_data["lock_version"]`` for the write."""

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.versioned_record = record if record is not None else getattr(self, "instance", None)
        if self.versioned_record is not None and self.versioned_record.pk is not None:
            self.fields["lock_version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1, initial=self.versioned_record.lock_version)

    def clean(self):
        data = super().clean()
        if "lock_version" in self.fields and data.get("lock_version") is None:
            self.errors.pop("lock_version", None)
            raise forms.ValidationError(MISSING_VERSION)
        return data


def carry_version(form, error: StaleEdit) -> None:
    """After a stale save: keep everything typed in ``form``, but carry the version now stored,
    so that saving again (having seen the other change) applies this person's values. Only the
    form of the record that was refused carries it (a page may hold forms of several records)."""
    if "lock_version" not in form.fields:
        return
    record = getattr(form, "versioned_record", None) or getattr(form, "instance", None)
    if record is not None and record.pk is not None and (type(record) is not type(error.obj)
                                                         or record.pk != error.obj.pk):
        return
    form.data = form.data.copy()
    form.data[form.add_prefix("lock_version")] = str(error.current_version)
