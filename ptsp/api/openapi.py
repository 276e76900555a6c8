"""The OpenAPI 3 document, assembled from the routes' own pydantic models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
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


OPERATIONS: list[Operation] = []


def operation(path: str, method: str, summary: str, **kwargs: Any) -> Operation:
    """Record an operation for the document and return it."""
    op = Operation(path, method.lower(), summary, **kwargs)
    OPERATIONS.append(op)
    return op


def _responses(op: Operation) -> dict[str, Any]:
    """Return an operation's responses by status code; errors carry the Error body."""
    return {
        str(code): (
            {"description": text}
            if code < 400
            else {
                "description": text,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        )
        for code, text in sorted(op.responses.items())
    }


def build_document(version: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for `/api/v1`."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
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
            "responses": _responses(op),
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
        paths.setdefault(f"/api/v1{op.path}", {})[op.method] = entry
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
