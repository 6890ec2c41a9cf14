"""OpenAPI: the project's authentication scheme, and the error answers every operation can give.

`CoalitionAutoSchema` adds to each operation the 4xx responses its view can really answer, from
what the view declares (authentication and permissions, throttles, path and query parameters,
a request body), so that no endpoint has to list them by hand and none is forgotten."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class PracticeAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "coalition.api.authentication.PracticeAPIKeyAuthentication"
    name = "PracticeAPIKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A practice API key, sent as `Authorization: Api-Key <key>`. It acts "
            "as a submitter of its practice. Practice admins create keys on the site.",
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Each field at fault with its messages, e.g. "
    '`{"year": ["No published release for 2031."]}`.',
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: the field or parameter at fault, with a message.",
    "401": "Not signed in, or an invalid, revoked or expired API key.",
    "403": "Signed in, but not allowed: a role below what the operation needs, staff without "
    "two-factor authentication, or a missing CSRF token with a session.",
    "404": "No such object, or an object of a practice the caller does not belong to.",
    "415": "The body is in a content type the operation does not read (see its request body).",
    "429": "Too many requests: retry after the number of seconds in `Retry-After`.",
}


class CoalitionAutoSchema(AutoSchema):
    """Adds the error responses an operation can give. A view whose `list` answers one object
    (not a list) says so with `schema_single_object = True`."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "schema_single_object", False):
            return False
        return super()._is_list_view(serializer)

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        responses = operation.setdefault("responses", {})
        declared_errors = [code for code in responses if code.startswith("4")]
        for code in sorted({*self._error_codes(operation), *declared_errors}):
            if responses.get(code, {}).get("content"):
                continue  # the view documents this one itself
            if code in ("400", "413"):  # {"field": ["message", ...]}
                schema = VALIDATION_ERROR_SCHEMA
            else:
                schema = self.resolve_serializer(ErrorSerializer, "response").ref
            responses[code] = {
                "content": {"application/json": {"schema": schema}},
                "description": responses.get(code, {}).get("description")
                or ERROR_DESCRIPTIONS.get(code, ""),
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        query = [p for p in parameters if p.get("in") == "query"]
        # A write is checked by its service (a Django ValidationError becomes a 400), even
        # without a body: retrying what is not stalled, removing the last admin.
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        codes = []
        if writes or query:
            codes.append("400")
        if any(not isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if any(p.get("in") == "path" for p in parameters) or any(
            p["name"] == "page" for p in query
        ):
            codes.append("404")  # an unknown object, or a page past the last
        if writes and "requestBody" in operation:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes
