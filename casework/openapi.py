"""What every API operation can answer besides success, written into the OpenAPI document once
(a drf-spectacular postprocessing hook) rather than in each view's ``extend_schema``.

The answers come from code every view shares: DRF's authentication and permission (401, 403),
the permission-filtered querysets (404, for an object one may not see as for a missing one),
serializers and ``cases.api.versioning.domain_errors`` (400 with the reason, 409 on a stale save
of a versioned record) and ``casework.middleware.RequestBodyLimitMiddleware`` (413). An
operation that documents a code itself keeps its own description."""

from __future__ import annotations

from cases.api.versioning import LOCK_VERSION_HELP

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A serializer's refusal names each field it refuses ({"field": ["reason", ...]}, nested for
# nested input); a domain refusal or a malformed body says it in "detail".
BAD_INPUT = {
    "type": "object",
    "description": "Either {detail: reason} or {field: [reasons]} for each field refused.",
    "additionalProperties": {},
}
CONFLICT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "lock_version": {"type": "integer", "description": "The version now stored: read again, then resend."},
        "changes": {"type": "array", "items": {}, "description": "Who changed what since the version you sent."},
    },
    "required": ["detail", "lock_version", "changes"],
}
COMPONENTS = {"Detail": DETAIL, "BadInput": BAD_INPUT, "Conflict": CONFLICT}

WRITES = {"post", "put", "patch"}
METHODS = WRITES | {"get", "delete", "head", "options"}


def _answer(description: str, component: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}}


def _component(schema: dict, schemas: dict) -> dict:
    ref = schema.get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _sends_lock_version(operation: dict, schemas: dict) -> bool:
    """A write whose body carries ``lock_version``: it changes a versioned record.

    A change (PATCH, PUT) of a record whose answer shows ``lock_version`` must send it back
    even where the serializer reads it from the raw body (``caseplans.api.views._lock_version``):
    the request's schema says so too."""
    requests = [_component(media.get("schema", {}), schemas)
                for media in (operation.get("requestBody") or {}).get("content", {}).values()]
    if any("lock_version" in schema.get("properties", {}) for schema in requests):
        return True
    answer = (operation.get("responses", {}).get("200") or {}).get("content", {}).get("application/json", {})
    if operation["method"] in ("patch", "put") and "lock_version" in _component(answer.get("schema", {}),
                                                                              schemas).get("properties", {}):
        for schema in requests:
            schema.setdefault("properties", {})["lock_version"] = {
                "type": "integer", "minimum": 1, "writeOnly": True, "description": LOCK_VERSION_HELP}
        return bool(requests)
    return False


def document_error_answers(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    for path, operations in result.get("paths", {}).items():
        has_path_id = "{" in path
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            answers = operation.setdefault("responses", {})
            add = {
                "401": _answer("Not signed in, or the token is missing or wrong.", "Detail"),
                "403": _answer("Signed in, but this role may not do this.", "Detail"),
            }
            if method in WRITES or operation.get("parameters"):
                add["400"] = _answer("The input was refused: the reason, per field or in detail.", "BadInput")
            if has_path_id or operation.get("parameters"):
                # A list's page beyond the last answers 404 too (DRF's pagination).
                add["404"] = _answer("No such record, or one you may not see (the same answer).", "Detail")
            if method in WRITES:
                add["413"] = _answer("The request body is larger than the limit; nothing was read.", "Detail")
                if _sends_lock_version({**operation, "method": method}, schemas):
                    add["409"] = _answer("Someone saved the record after the lock_version you sent.", "Conflict")
            for code, answer in add.items():
                answers.setdefault(code, answer)
    return result
