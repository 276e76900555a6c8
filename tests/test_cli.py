"""The `ptsp` command: set-up from a file, accounts, device tokens, expiry, staffing, demo."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ptsp.cli import cli
from ptsp.cli._base import DescribedGroup
from ptsp.domain.errors import InvalidInput
from ptsp.models import Counter, Device, Office, Staff
from ptsp.services.accounts import device_for_token
from tests.conftest import SETUP


@pytest.fixture
def env(monkeypatch, sqlite_url):
    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")  # a short secret is refused in production
    return sqlite_url


def sessions(url):
    from sqlalchemy.orm import sessionmaker

    from ptsp.db import make_engine

    return sessionmaker(make_engine(url))


def test_setup_file_loads_offices_and_loading_again_changes_nothing(env, tmp_path):
    path = tmp_path / "office.json"
    path.write_text(json.dumps(SETUP))
    runner = CliRunner()
    first = runner.invoke(cli, ["setup", "load", str(path)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["setup", "load", str(path)])
    assert second.exit_code == 0, second.output
    with sessions(env)() as session:
        assert session.scalar(select(func.count()).select_from(Office)) == 3
        assert session.scalar(select(func.count()).select_from(Counter)) == 4
        clerk = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        assert clerk.supervisor.username == "sup"


def test_bad_setup_file_is_refused_with_the_problem_named(env, tmp_path):
    bad = json.loads(json.dumps(SETUP))
    bad["offices"][1]["counters"][0]["services"] = ["Z"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = CliRunner().invoke(cli, ["setup", "load", str(path)])
    assert result.exit_code != 0
    assert "tidak dikenal" in result.output and "Z" in result.output


def test_device_token_is_printed_once_and_stored_hashed(env, tmp_path):
    path = tmp_path / "office.json"
    path.write_text(json.dumps(SETUP))
    runner = CliRunner()
    runner.invoke(cli, ["setup", "load", str(path)])
    result = runner.invoke(cli, ["device", "add", "--office", "kel-test", "--kind", "kiosk", "--name", "Kiosk 1"])
    token = result.stdout.strip()
    assert result.exit_code == 0 and token.startswith("ptsp_kiosk_")
    # The pairing address, for a person: the token after '#', which browsers never send to a server.
    assert f"<server>/kiosk/#token={token}" in result.stderr and "?token=" not in result.output
    with sessions(env)() as session:
        device = device_for_token(session, token)
        assert device.kind == "kiosk" and token not in device.token_hash
        assert session.scalar(select(func.count()).select_from(Device)) == 1


def test_user_add_hashes_the_password_and_refuses_an_unknown_office(env, tmp_path):
    path = tmp_path / "office.json"
    path.write_text(json.dumps(SETUP))
    runner = CliRunner()
    runner.invoke(cli, ["setup", "load", str(path)])
    ok = runner.invoke(cli, ["user", "add", "--username", "rina", "--name", "Rina", "--role", "clerk",
                             "--office", "kel-test", "--supervisor", "sup"], input="rahasia-123\nrahasia-123\n")
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(cli, ["user", "add", "--username", "x1", "--name", "X", "--role", "clerk",
                              "--office", "nowhere"], input="rahasia-123\nrahasia-123\n")
    assert bad.exit_code != 0 and "unknown office" in bad.output
    with sessions(env)() as session:
        rina = session.scalar(select(Staff).where(Staff.username == "rina"))
        assert rina.password_hash != "rahasia-123" and rina.supervisor.username == "sup"


def test_staffing_calc_prints_json_with_the_promised_keys():
    result = CliRunner().invoke(cli, ["staffing", "calc", "--arrivals-per-hour", "57", "--service-minutes", "18.5",
                                      "--target-minutes", "3", "--target-level", "0.8", "--patience-minutes", "10",
                                      "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for key in ("clerks", "probability_of_waiting", "service_level", "average_wait_minutes", "occupancy",
                "abandonment_probability"):
        assert key in report
    assert report["service_level"] >= 0.8
    refused = CliRunner().invoke(cli, ["staffing", "calc", "--arrivals-per-hour", "-5", "--service-minutes", "5",
                                       "--target-minutes", "3", "--target-level", "0.8"])
    assert refused.exit_code == 2 and "arrivals" in refused.output


def test_demo_sets_up_the_office_and_prints_logins_and_tokens(tmp_path):
    env = {"PTSP_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "PATH": "", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import sys; sys.argv=['ptsp','demo','--no-serve']; "
                             "from ptsp.cli import main; main()"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "PTSP Kelurahan Pegangsaan" in result.stdout
    assert "siti" in result.stdout and "demo-petugas" in result.stdout
    assert "ptsp_kiosk_" in result.stdout and "/api/v1/openapi.json" in result.stdout
    assert "/counter/login" in result.stdout and "/display/#token=ptsp_display_" in result.stdout
    assert "?token=" not in result.stdout


def test_commands_that_only_touch_the_database_start_without_the_planning_stack(env, tmp_path):
    """`ptsp setup load`, `device add` and the like leave out the pages, so scipy, numpy and ciw stay unloaded."""
    path = tmp_path / "office.json"
    path.write_text(json.dumps(SETUP))
    probe = ("import sys; from ptsp.cli import main; sys.argv = ['ptsp', 'setup', 'load', sys.argv[1]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('scipy', 'numpy', 'ciw') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_a_domain_refusal_left_uncaught_by_a_command_is_worded_by_describe():
    group = DescribedGroup()

    @group.command()
    def refuse() -> None:
        raise InvalidInput("password_too_short", min=8)

    result = CliRunner().invoke(group, ["refuse"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Kata sandi minimal 8 karakter"
