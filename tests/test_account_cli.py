"""`ptsp device list|revoke`, `ptsp user deactivate|activate|set-password`, `ptsp setup load --reset-passwords`,
and the production refusal of example or short secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.config import ConfigError, load_config
from ptsp.db import make_engine
from ptsp.models import AccountEvent, Device, Staff
from ptsp.services.accounts import authenticate, device_for_token
from tests.conftest import CHEAP_HASH, SETUP

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(cli_office: str) -> str:
    return cli_office


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def db(url: str):
    return sessionmaker(make_engine(url), info=CHEAP_HASH)()


def test_device_list_and_revoke_refuse_the_token_and_log_who(env):
    token = run("device", "add", "--office", "kel-test", "--kind", "display", "--name", "TV lobi").strip()
    listing = run("device", "list", "--office", "kel-test")
    device_id = int(re.search(r"^\s*(\d+)\s+kel-test\s+display\s+TV lobi", listing, re.M).group(1))
    assert "active" in listing
    assert "Revoked display 'TV lobi'" in run("device", "revoke", str(device_id))
    assert "revoked" in run("device", "list")
    again = CliRunner().invoke(cli, ["device", "revoke", str(device_id)])
    assert again.exit_code != 0 and "sudah dicabut" in again.output
    missing = CliRunner().invoke(cli, ["device", "revoke", "9999"])
    assert missing.exit_code != 0 and "tidak ditemukan" in missing.output
    with db(env) as session:
        assert device_for_token(session, token) is None
        assert session.get(Device, device_id).revoked_at is not None
        event = session.scalar(select(AccountEvent))
        assert (event.kind, event.actor, event.actor_staff_id, event.target_device_id) == (
            "device_revoked", "cli", None, device_id)


def test_user_deactivate_activate_and_set_password(env):
    assert "Deactivated clerk1" in run("user", "deactivate", "clerk1")
    with db(env) as session:
        assert authenticate(session, "clerk1", "password-1") is None
        assert session.scalar(select(Staff.session_epoch).where(Staff.username == "clerk1")) == 1
    run("user", "activate", "clerk1")
    out = run("user", "set-password", "clerk1", "--generate")
    new = out.rsplit("new password:", 1)[1].strip()
    run("user", "set-password", "clerk2", "--password", "dipilih-123")
    prompted = CliRunner().invoke(cli, ["user", "set-password", "clerk3"], input="rahasia-baru\nrahasia-baru\n")
    assert prompted.exit_code == 0, prompted.output
    short = CliRunner().invoke(cli, ["user", "set-password", "clerk3", "--password", "pendek"])
    assert short.exit_code != 0 and "minimal 8" in short.output
    unknown = CliRunner().invoke(cli, ["user", "deactivate", "nobody"])
    assert unknown.exit_code != 0 and "nobody" in unknown.output
    with db(env) as session:
        assert authenticate(session, "clerk1", new) is not None
        assert authenticate(session, "clerk2", "dipilih-123") is not None
        assert authenticate(session, "clerk3", "rahasia-baru") is not None
        kinds = [e.kind for e in session.scalars(select(AccountEvent).order_by(AccountEvent.id))]
    assert kinds == ["staff_deactivated", "staff_activated", "password_reset", "password_reset", "password_reset"]


def test_reloading_the_setup_file_says_it_kept_passwords_unless_asked_to_reset(env, tmp_path):
    changed = json.loads(json.dumps(SETUP))
    changed["offices"][1]["staff"][1]["password"] = "ganti-sandi-1"  # clerk1
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))
    kept = run("setup", "load", str(path))
    assert "kept the existing password of clerk1" in kept and "--reset-passwords" in kept
    with db(env) as session:
        assert authenticate(session, "clerk1", "password-1") is not None
    reset = run("setup", "load", "--reset-passwords", str(path))
    assert "change staff clerk1: password reset from the file" in reset
    with db(env) as session:
        assert authenticate(session, "clerk1", "ganti-sandi-1") is not None
        assert authenticate(session, "clerk1", "password-1") is None
        event = session.scalar(select(AccountEvent).where(AccountEvent.kind == "password_reset"))
        assert event.actor == "cli" and event.detail["source"] == "setup file"


def _production(monkeypatch, tmp_path, secret: str) -> dict:
    monkeypatch.setenv("PTSP_ENV", "production")
    monkeypatch.setenv("PTSP_SECRET_KEY", secret)
    return load_config(str(tmp_path))


def _example_secret() -> str:
    text = (ROOT / "deploy" / "ptsp.env.example").read_text()
    return re.search(r"^PTSP_SECRET_KEY=(.*)$", text, re.M).group(1)


@pytest.mark.parametrize("secret", ["change-me", "short-but-random-9f8e7d", _example_secret()])
def test_production_refuses_example_and_short_secrets_with_a_clear_message(monkeypatch, tmp_path, secret):
    with pytest.raises(ConfigError, match=r"PTSP_SECRET_KEY.*secrets\.token_urlsafe\(48\)"):
        _production(monkeypatch, tmp_path, secret)


def test_every_secret_the_docs_show_is_refused(monkeypatch, tmp_path):
    shown = set()
    for doc in [*ROOT.glob("docs/*.md"), ROOT / "README.md", *(p for p in ROOT.rglob("deploy/*") if p.is_file())]:
        shown |= set(re.findall(r"PTSP_SECRET_KEY=([^\s`'\"$|)]+)", doc.read_text(errors="replace")))
    assert shown
    for secret in shown:
        with pytest.raises(ConfigError):
            _production(monkeypatch, tmp_path, secret)


def test_production_accepts_a_generated_secret_and_trial_modes_any(monkeypatch, tmp_path):
    import secrets

    assert _production(monkeypatch, tmp_path, secrets.token_urlsafe(48))["SECRET_KEY"]
    monkeypatch.setenv("PTSP_ENV", "development")
    monkeypatch.setenv("PTSP_SECRET_KEY", "change-me")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "change-me"
    monkeypatch.setenv("PTSP_ENV", "staging")  # neither development nor testing: production rules
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))
