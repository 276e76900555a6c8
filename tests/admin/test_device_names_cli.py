"""Device names are unique among an office's unrevoked devices, in the CLI too; `ptsp printer set` refuses a name
that still matches two devices (made before this rule) instead of silently taking the newest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.models import Device, Office, TicketPrinter


@pytest.fixture
def env(cli_office: str) -> str:
    return cli_office


def add(*args: str):
    return CliRunner().invoke(cli, ["device", "add", "--office", "kel-test", *args])


def test_device_add_refuses_a_name_an_unrevoked_device_of_the_office_has(env):
    assert add("--kind", "kiosk", "--name", "Kios lobi").exit_code == 0
    again = add("--kind", "display", "--name", "kios  LOBI")
    assert again.exit_code == 1 and "sudah dipakai" in again.output
    elsewhere = CliRunner().invoke(cli, ["device", "add", "--office", "kel-lain", "--kind", "kiosk",
                                         "--name", "Kios lobi"])
    assert elsewhere.exit_code == 0
    session = sessionmaker(make_engine(env))()
    assert [d.name for d in session.scalars(select(Device).order_by(Device.id))] == ["Kios lobi", "Kios lobi"]
    first = session.scalars(select(Device)).first()
    first.revoked_at = datetime.now(UTC)
    session.commit()
    session.close()
    assert add("--kind", "kiosk", "--name", "Kios lobi").exit_code == 0  # its replacement


def test_printer_set_refuses_an_ambiguous_kiosk_name_and_changes_nothing(env):
    session = sessionmaker(make_engine(env))()
    office = session.scalar(select(Office).where(Office.slug == "kel-test"))
    for number in (1, 2):  # two kiosks with one name, as an older version allowed
        session.add(Device(office=office, kind="kiosk", name="Kios", token_hash=f"{number:064x}",
                           created_at=datetime.now(UTC)))
    session.commit()
    ids = [d.id for d in session.scalars(select(Device).order_by(Device.id))]
    session.close()
    result = CliRunner().invoke(cli, ["printer", "set", "--office", "kel-test", "--kiosk", "Kios",
                                      "--setting", "preview"])
    assert result.exit_code == 1 and "Ada 2 perangkat bernama 'Kios'" in result.output
    assert f"{ids[0]}, {ids[1]}" in result.output
    session = sessionmaker(make_engine(env))()
    assert session.scalars(select(TicketPrinter)).first() is None
    session.close()
    unknown = CliRunner().invoke(cli, ["printer", "set", "--office", "kel-test", "--kiosk", "Nope",
                                       "--setting", "preview"])
    assert unknown.exit_code == 1 and "Tidak ada kiosk bernama 'Nope'" in unknown.output
