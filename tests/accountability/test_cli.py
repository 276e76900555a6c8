"""`ptsp department` and `ptsp discipline` commands."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.models import Department, DisciplineSettings, Violation
from ptsp.services.referrals import department_for_token
from tests.accountability.history import History
from tests.conftest import SETUP


def test_department_token_and_discipline_scan_from_the_command_line(monkeypatch, sqlite_url, tmp_path):
    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")  # a short secret is refused in production
    path = tmp_path / "office.json"
    path.write_text(json.dumps(SETUP))
    runner = CliRunner()
    assert runner.invoke(cli, ["setup", "load", str(path)]).exit_code == 0
    added = runner.invoke(cli, ["department", "add", "--office", "kec-test", "--slug", "dukcapil",
                                "--name", "Dinas Dukcapil"])
    assert added.exit_code == 0, added.output
    token = added.output.splitlines()[0].strip()
    assert f"/manager/dinas#token={token}" in added.stderr
    duplicate = runner.invoke(cli, ["department", "add", "--office", "kec-test", "--slug", "dukcapil", "--name", "x"])
    assert duplicate.exit_code != 0 and "sudah dipakai" in duplicate.output
    Session = sessionmaker(make_engine(sqlite_url))
    with Session() as session:
        assert department_for_token(session, token).slug == "dukcapil"
    renewed = runner.invoke(cli, ["department", "token", "--slug", "dukcapil"]).output.splitlines()[0].strip()
    with Session() as session:
        assert department_for_token(session, token) is None
        assert department_for_token(session, renewed).name == "Dinas Dukcapil"
        assert session.scalar(select(func.count()).select_from(Department)) == 1
        day = date(2026, 11, 16)
        history = History(session, day=day)
        history.stretch(1, "clerk1", "open", "08:20", "12:00")
        session.commit()
    settings = runner.invoke(cli, ["discipline", "settings", "--office", "kel-test", "--late-grace-minutes", "5",
                                   "--break-minutes-each", "45"])
    assert settings.exit_code == 0 and "late_grace_minutes       5" in settings.output
    for expected, notices in (("added 1", 2), ("added 0", 0)):  # the supervisor and theirs, once
        scanned = runner.invoke(cli, ["discipline", "scan", "--office", "kel-test", "--day", "2026-11-16"])
        assert scanned.exit_code == 0, scanned.output
        assert f"kel-test 2026-11-16: 1 violation(s); {expected}" in scanned.output
        assert f"; {notices} notice(s) created" in scanned.output
    bad = runner.invoke(cli, ["discipline", "scan", "--day", "16-11-2026"])
    assert bad.exit_code == 2
    with Session() as session:
        late = session.scalars(select(Violation)).all()
        assert [(v.kind, v.minutes) for v in late] == [("late_opening", 35.0)]  # counted from 15 min before opening
        assert session.get(DisciplineSettings, late[0].office_id).break_minutes_each == 45
