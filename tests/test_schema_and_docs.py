"""Migrations match the models; the OpenAPI document is valid and covers every route."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openapi_spec_validator import validate

from ptsp.models import Base


def test_migrations_produce_exactly_the_models_schema(app):
    engine = app.extensions["ptsp.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_openapi_document_is_valid_and_lists_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule.endswith("openapi.json"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            if "{verb}" in path:
                assert any(p.startswith(path.split("{verb}")[0]) for p, _ in documented), path
            else:
                assert (path, method.lower()) in documented, (path, method)
    issue = document["paths"]["/api/v1/tickets"]["post"]
    assert issue["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("IssueTicket")


def test_every_integer_in_an_api_path_is_bounded_to_the_id_columns(app):
    from werkzeug.routing.converters import IntegerConverter

    from ptsp.schemas import MAX_ID

    for rule in app.url_map.iter_rules():
        for name, converter in (rule._converters or {}).items():
            if isinstance(converter, IntegerConverter):
                assert converter.max == MAX_ID, f"{rule.rule}: <{name}> must be int(max={MAX_ID})"
