"""The OpenAPI 3 document, assembled from the routes' own pydantic models.

A route states what is particular to it (its successes, a refusal only it gives, such as a wrong password),
who may call it (`auth`) and what it takes (`body`, `params`). The error responses every route of its kind
can give are derived here from those facts and from the running app (the rate limits), so no route can
forget one: a change by a cookie-authenticated caller can be refused as unreadable (400), a path with an id
can miss (404), a limited route can answer 429, and so on. Every error carries the `{error, message}` body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from pydantic import BaseModel

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}

UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})
# Callers that `require_actor` knows by kind; a caller of another kind, office or role is refused with 403.
KIND_CHECKED = frozenset({"device", "staff"})

# What each derived error means, in the document.
DERIVED_ERRORS = {
    400: "The request cannot be read: not JSON, malformed JSON or not an object",
    401: "No login or token, or a token that is not valid",
    403: "Not allowed for this caller: another kind of caller, another office or too low a role; or a change "
         "without an Authorization header that lacks its CSRF token or comes from another origin "
         "(`cross_site_refused`)",
    404: "Not found: no such object, or an id out of range",
    409: "Not allowed in the current state",
    413: "The body is larger than the server accepts (PTSP_MAX_BODY_BYTES)",
    422: "Invalid input; the message names the field",
    429: "Too many requests: rate limited",
}


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None = None
    responses: dict[int, str] = field(default_factory=dict)
    auth: list[str] = field(default_factory=list)
    params: list[dict[str, Any]] = field(default_factory=list)
    # Runs a use case that looks up what the request names (404) and whose rules can refuse it (409, 422);
    # by default every unsafe method does.
    changes_state: bool | None = None


OPERATIONS: list[Operation] = []


def operation(path: str, method: str, summary: str, **kwargs: Any) -> Operation:
    """Record an operation for the document and return it."""
    op = Operation(path, method.lower(), summary, **kwargs)
    OPERATIONS.append(op)
    return op


NAMED_IN_QUERY = frozenset({"office", "agency"})  # query filters holding an object's id


def derived_errors(op: Operation, rate_limited: bool = False) -> set[int]:
    """Return the error statuses `op` can answer because of what it is, whatever its own code says."""
    codes: set[int] = set()
    unsafe = op.method in UNSAFE_METHODS
    if "{" in op.path or any(p.get("in") == "query" and p.get("name") in NAMED_IN_QUERY for p in op.params):
        codes.add(404)  # the path, or a filter such as `?agency=`, names an object that may not exist
    if unsafe:
        codes |= {400, 403, 413}  # a body is read; without an Authorization header the CSRF check may refuse
    if op.body is not None or any(p.get("in") == "query" for p in op.params):
        codes.add(422)
    if op.changes_state if op.changes_state is not None else unsafe:
        codes |= {404, 409, 422}  # the use case looks up what the request names, and its rules may refuse
    if op.auth:
        codes.add(401)
    if KIND_CHECKED & set(op.auth):
        codes.add(403)
    if rate_limited:
        codes.add(429)
    return codes


def _error_response(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _responses(op: Operation, rate_limited: bool) -> dict[str, Any]:
    """Return an operation's responses by status code: its own, then the derived errors (own text wins)."""
    texts = {code: DERIVED_ERRORS[code] for code in derived_errors(op, rate_limited)} | op.responses
    responses: dict[str, Any] = {}
    for code, text in sorted(texts.items()):
        if code >= 400:
            responses[str(code)] = _error_response(text)
        elif code == 204:
            responses[str(code)] = {"description": text}
        else:
            responses[str(code)] = {"description": text,
                                    "content": {"application/json": {"schema": {"type": ["object", "array"]}}}}
    return responses


def sample_path(path: str) -> str:
    """Return `path` under /api/v1 with each `{param}` filled in, to find its route in the URL map."""
    return "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)


def endpoint_of(app: Flask, op: Operation) -> str | None:
    """Return the endpoint of the Flask route that serves `op`, None when no route does."""
    from werkzeug.exceptions import HTTPException

    try:
        endpoint, _ = app.url_map.bind("doc.invalid").match(sample_path(op.path), op.method.upper())
    except HTTPException:
        return None
    return str(endpoint)


def is_rate_limited(app: Flask, op: Operation) -> bool:
    """Return whether the view serving `op` carries a Flask-Limiter limit (evaluated in the app context)."""
    from flask_limiter.util import get_qualified_name

    from ..extensions import limiter

    endpoint = endpoint_of(app, op)
    view = app.view_functions.get(endpoint) if endpoint else None
    return view is not None and bool(limiter.limit_manager.decorated_limits(get_qualified_name(view)))


def _entry(op: Operation, rate_limited: bool, components: dict[str, Any]) -> dict[str, Any]:
    explicit = {p["name"] for p in op.params}
    path_params = [
        {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "integer"}}
        for part in op.path.split("/")
        if part.startswith("{") and part[1:-1] not in explicit
    ]
    entry: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{op.method}_{op.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "parameters": path_params + op.params,
        "responses": _responses(op, rate_limited),
    }
    if op.auth:
        entry["security"] = [{scheme: []} for scheme in op.auth]
    if op.body is not None:
        schema = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[op.body.__name__] = schema
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}},
        }
    return entry


def build_document(version: str, app: Flask | None = None) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for `/api/v1`; with `app`, rate-limited routes list 429."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        limited = app is not None and is_rate_limited(app, op)
        paths.setdefault(f"/api/v1{op.path}", {})[op.method] = _entry(op, limited, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "PTSP API", "version": version, "description": "Antrian dan loket layanan publik"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "device": {"type": "http", "scheme": "bearer", "description": "Kiosk or display token"},
                "staff": {"type": "apiKey", "in": "cookie", "name": "session"},
                "department": {"type": "http", "scheme": "bearer", "description": "Department (dinas) token"},
            },
        },
    }
