"""Every answer a test receives from /api/ is checked against the OpenAPI document (as Zulip
does with its own): the status code is documented for that operation, and a JSON body matches
the schema documented for that status. The document cannot drift from the code unseen.

The document is drf-spectacular's, generated once per session. OpenAPI 3.0's ``nullable`` is
turned into JSON Schema's ``null`` type; nothing else is loosened."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


class SchemaViolation(AssertionError):
    pass


def _is_uri(value) -> bool:
    """An absolute URI (RFC 3986: a scheme, then the rest), as the "uri" format means."""
    if not isinstance(value, str):
        return True  # the type is checked on its own
    parts = urlsplit(value)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme) and (parts.netloc or parts.path))


# jsonschema checks "uri" only with an optional package (rfc3987), which is not installed.
FORMATS = jsonschema.FormatChecker()
FORMATS.checks("uri")(_is_uri)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.template}"


def _as_json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema (draft 2020-12): ``nullable`` becomes a null type."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _as_json_schema(value) for key, value in node.items()
                 if key not in ("nullable", "example", "discriminator")}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class Document:
    def __init__(self, document: dict):
        self.document = document
        components = {name: _as_json_schema(schema)
                      for name, schema in document.get("components", {}).get("schemas", {}).items()}
        root = {"components": {"schemas": components}}
        self.registry = Registry().with_resource("urn:casework", Resource.from_contents(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", **root}))
        self.routes = []
        for template, operations in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            # Literal templates before ones with parameters (/cases/x/ before /cases/{reference}/).
            self.routes.append((template.count("{"), pattern, template, operations))
        self.routes.sort(key=lambda route: route[0])

    def operation(self, method: str, path: str) -> Operation | None:
        for _, pattern, template, operations in self.routes:
            if pattern.match(path) and method.lower() in operations:
                return Operation(method.lower(), template, operations[method.lower()])
        return None

    def documented(self, path: str) -> bool:
        return any(pattern.match(path) for _, pattern, _, _ in self.routes)

    def check(self, method: str, path: str, status: int, content_type: str, body: bytes) -> None:
        """Raise SchemaViolation naming the operation, the status and the mismatch."""
        operation = self.operation(method, path)
        if operation is None:
            if self.documented(path) and status in (401, 403, 405):
                return  # a method the route does not have: refused (DRF checks who asks before the method)
            if self.documented(path):
                raise SchemaViolation(f"{method.upper()} {path}: not a documented operation, answered {status}")
            return  # not an API route (Django's own 404 for an unknown address)
        responses = operation.spec.get("responses", {})
        answer = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if answer is None:
            raise SchemaViolation(f"{operation.name}: status {status} is not documented "
                                  f"(documented: {', '.join(sorted(responses))}); body: {body[:300]!r}")
        media = (content_type or "").split(";")[0].strip()
        content = answer.get("content") or {}
        if not content:
            return
        if media not in content and "*/*" not in content:
            raise SchemaViolation(f"{operation.name} {status}: content type {media!r} is not documented "
                                  f"(documented: {', '.join(content)})")
        if not media.endswith("json") or "schema" not in content.get(media, {}):
            return
        try:
            data = json.loads(body)
        except ValueError as error:
            raise SchemaViolation(f"{operation.name} {status}: the body is not JSON ({error})") from error
        self.check_body(operation, status, media, data)

    def check_body(self, operation: Operation, status: int, media: str, data) -> None:
        schema = _as_json_schema(operation.spec["responses"][str(status)]["content"][media]["schema"])
        schema = json.loads(json.dumps(schema).replace('"#/components/', '"urn:casework#/components/'))
        validator = jsonschema.Draft202012Validator(schema, registry=self.registry,
                                                    format_checker=FORMATS)
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(the body)"
            raise SchemaViolation(f"{operation.name} {status}: at {where}: {error.message}")


@functools.cache
def document() -> Document:
    from drf_spectacular.generators import SchemaGenerator

    return Document(json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)))


def check_response(response) -> None:
    """Check one test-client response (Django's Client or DRF's APIClient) if it is an API answer."""
    request = getattr(response, "request", None) or {}
    path = request.get("PATH_INFO", "")
    if not path.startswith("/api/") or getattr(response, "streaming", False):
        return
    document().check(request.get("REQUEST_METHOD", "GET"), path, response.status_code,
                     response.get("Content-Type", ""), response.content)
