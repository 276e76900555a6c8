"""Migrations match the models; the OpenAPI document is valid and covers every route."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openapi_spec_validator import validate

from ptsp.api.openapi import KIND_CHECKED, UNSAFE_METHODS, Operation, endpoint_of, is_rate_limited
from ptsp.models import Base


def test_migrations_produce_exactly_the_models_schema(app):
    engine = app.extensions["ptsp.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def api_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every route under /api/v1 but the document itself."""
    return {(rule.endpoint, method.lower()) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("/openapi.json")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def documented(document) -> list[tuple[str, str, dict]]:
    return [(path, method, entry) for path, ops in document["paths"].items() for method, entry in ops.items()]


def test_openapi_document_is_valid_and_lists_every_api_route(app, client):
    """A general rule, not a list: every route of the URL map under /api/v1, with each of its methods, is
    served by some documented operation, and every documented operation is served by a route."""
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    served = set()
    for path, method, _ in documented(document):
        endpoint = endpoint_of(app, Operation(path.removeprefix("/api/v1"), method, ""))
        assert endpoint is not None, f"{method.upper()} {path} is documented but no route serves it"
        served.add((endpoint, method))
    assert api_routes(app) - served == set(), "routes missing from the OpenAPI document"
    issue = document["paths"]["/api/v1/tickets"]["post"]
    assert issue["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("IssueTicket")


def test_every_operation_lists_the_errors_its_kind_can_give_with_the_error_body(app, client):
    """What schemathesis found undocumented (400 on a login, 403 on /auth/me) cannot recur on any route: the
    errors are derived from each operation's access rule, body, parameters and rate limit."""
    document = client.get("/api/v1/openapi.json").get_json()
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, method, entry in documented(document):
        codes = {int(code) for code in entry["responses"]}
        where = f"{method.upper()} {path}"
        assert any(200 <= code < 300 for code in codes), where
        for code, response in entry["responses"].items():
            if int(code) >= 400:
                assert response["content"]["application/json"]["schema"] == error_ref, (where, code)
            elif code != "204":
                assert "application/json" in response["content"], (where, code)
        if "{" in path:
            assert 404 in codes, where
        if method in UNSAFE_METHODS:
            assert {400, 413} <= codes, where
        if "requestBody" in entry or any(p["in"] == "query" for p in entry["parameters"]):
            assert 422 in codes, where
        schemes = {name for requirement in entry.get("security", []) for name in requirement}
        if schemes:
            assert 401 in codes, where
        if schemes & KIND_CHECKED:
            assert 403 in codes, where
        with app.test_request_context():
            if is_rate_limited(app, Operation(path.removeprefix("/api/v1"), method, "")):
                assert 429 in codes, where
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    me = document["paths"]["/api/v1/auth/me"]["get"]["responses"]
    assert {"400", "401", "422", "429"} <= set(login) and {"401", "403"} <= set(me)


def test_every_integer_in_an_api_path_is_bounded_to_the_id_columns(app):
    from werkzeug.routing.converters import IntegerConverter

    from ptsp.schemas import MAX_ID

    for rule in app.url_map.iter_rules():
        for name, converter in (rule._converters or {}).items():
            if isinstance(converter, IntegerConverter):
                assert converter.max == MAX_ID, f"{rule.rule}: <{name}> must be int(max={MAX_ID})"
