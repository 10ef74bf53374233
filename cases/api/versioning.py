"""The API side of optimistic locking (cases/locking.py) and of domain errors, shared by every
app's endpoints: a record people change shows its ``lock_version``; a change must send back the
one it read; a stale one answers 409 with who changed what, and the version now stored."""

from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError

from cases.errors import CaseworkError
from cases.locking import StaleEdit

LOCK_VERSION_HELP = ("The version you read. Required on every change; if someone saved the record since, "
                     "the change is refused (409) with what they changed.")
MISSING = "Send the lock_version you read (a whole number), so a change saved meanwhile is not overwritten."


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Someone saved this record after you read it."

    def __init__(self, body: dict):
        super().__init__()
        self.detail = body  # as is: the version stays a number, the changes a list


def domain_errors(write):
    """Run a service: a stale save answers 409, any other refusal 400, each with the reason."""
    try:
        return write()
    except StaleEdit as error:
        raise Conflict(error.as_api()) from error
    except CaseworkError as error:
        raise ValidationError({"detail": str(error)}) from error


def lock_version_field(*, required: bool = False):
    return serializers.IntegerField(min_value=1, required=required, help_text=LOCK_VERSION_HELP)


def require_lock_version(data) -> int:
    """The version a change must carry, from validated or raw request data (400 when it is
    missing or not a whole number)."""
    value = data.get("lock_version")
    if not isinstance(value, bool):
        try:
            return int(value)
        except (TypeError, ValueError):
            pass
    raise ValidationError({"lock_version": MISSING})


class VersionedSerializer(serializers.ModelSerializer):
    """A serializer of a record people change: ``lock_version`` is shown, and an update needs it."""

    lock_version = lock_version_field()

    def validate(self, data):
        data = super().validate(data)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            require_lock_version(data)
        return data
