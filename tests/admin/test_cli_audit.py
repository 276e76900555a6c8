"""`ptsp device`, `ptsp user` and `ptsp printer` changes reach the audit log as made by `cli` (actor None), through
the use cases the administration pages use; a refused command writes no entry; the audit page shows them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.models import AuditEntry, Office, Staff
from tests.conftest import CHEAP_HASH


@pytest.fixture
def env(cli_office: str) -> str:
    return cli_office


def run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code != 0
    return result.output


def entries(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with sessionmaker(engine, info=CHEAP_HASH)() as session:
            office = {o.id: o.slug for o in session.scalars(select(Office))}
            return [(e.actor, e.actor_staff_id, office.get(e.office_id), e.entity, e.action, e.before, e.after)
                    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    finally:
        engine.dispose()


def test_device_commands_are_audited_as_cli(env):
    run("device", "add", "--office", "kel-test", "--kind", "display", "--name", "TV lobi")
    refused("device", "add", "--office", "kel-test", "--kind", "kiosk", "--name", "tv  LOBI")
    (added,) = entries(env)
    assert added[:5] == ("cli", None, "kel-test", "device", "created")
    assert added[5] is None and added[6]["name"] == "TV lobi" and added[6]["kind"] == "display"
    device_id = int(run("device", "list", "--office", "kel-test").split()[0])
    run("device", "revoke", str(device_id))
    refused("device", "revoke", str(device_id))  # already revoked: no second entry
    revoked = entries(env)[-1]
    assert revoked[:5] == ("cli", None, "kel-test", "device", "revoked")
    assert revoked[5]["revoked_at"] is None and revoked[6]["revoked_at"]
    assert len(entries(env)) == 2


def test_user_commands_are_audited_as_cli_and_never_hold_a_password(env):
    run("user", "add", "--username", "rina", "--name", "Rina", "--role", "clerk", "--office", "kel-test",
        "--supervisor", "sup", input="rahasia-123\nrahasia-123\n")
    run("user", "deactivate", "rina")
    run("user", "activate", "rina")
    run("user", "set-password", "rina", "--password", "dipilih-456")
    refused("user", "deactivate", "nobody")
    log = entries(env)
    assert [(e[0], e[1], e[2], e[3], e[4]) for e in log] == [
        ("cli", None, "kel-test", "staff", action)
        for action in ("created", "deactivated", "activated", "password_reset")]
    assert log[0][6]["username"] == "rina" and log[0][6]["supervisor"] == "sup"
    assert log[0][6]["must_change_password"] is False  # the operator chose this password
    assert (log[1][5]["active"], log[1][6]["active"]) == (True, False)
    assert "rahasia-123" not in str(log) and "dipilih-456" not in str(log)
    engine = make_engine(env)
    with sessionmaker(engine, info=CHEAP_HASH)() as session:
        rina = session.scalar(select(Staff).where(Staff.username == "rina"))
        assert rina.active and not rina.must_change_password
    engine.dispose()


def test_printer_set_is_audited_as_cli_and_a_refusal_writes_nothing(env):
    run("device", "add", "--office", "kel-test", "--kind", "kiosk", "--name", "Kios lobi")
    run("printer", "set", "--office", "kel-test", "--kiosk", "Kios lobi", "--setting", "preview")
    run("printer", "set", "--office", "kel-test", "--kiosk", "Kios lobi", "--setting", "preview", "--paper", "80")
    refused("printer", "set", "--office", "kel-test", "--kiosk", "Kios lobi")  # neither a setting nor an agent
    printers = [e for e in entries(env) if e[3] == "printer"]
    assert [(e[0], e[2], e[4]) for e in printers] == [("cli", "kel-test", "bound"), ("cli", "kel-test", "updated")]
    assert printers[0][6]["setting"] == "preview" and printers[0][6]["name"] == "Kios lobi"
    assert (printers[1][5]["paper_mm"], printers[1][6]["paper_mm"]) == (58, 80)


def test_the_audit_page_shows_cli_entries(env, clock):
    run("device", "add", "--office", "kel-test", "--kind", "display", "--name", "TV lobi")
    from tests.conftest import login, make_test_app

    app = make_test_app(env, clock)
    try:
        client = app.test_client()
        login(client, "manager")
        page = client.get("/manager/admin/audit").text
        assert 'data-action="created"' in page and "<td>cli</td>" in page
    finally:
        app.extensions["ptsp.engine"].dispose()
