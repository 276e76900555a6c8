"""`ptsp points recompute` on the embedded database: silent agreement, loud differences."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ptsp.cli import cli
from tests.conftest import load_world, make_test_app
from tests.points.helpers import realistic_day


@pytest.fixture
def filled(monkeypatch, sqlite_url, clock):
    app = make_test_app(sqlite_url, clock)
    realistic_day(app, load_world(app, clock), clock)
    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")  # a short secret is refused in production
    monkeypatch.setenv("PTSP_POINTS_RATING_MIN_COUNT", "1")  # the settings realistic_day ran with
    yield app
    app.extensions["ptsp.engine"].dispose()


def test_recompute_command_reports_agreement(filled):
    result = CliRunner().invoke(cli, ["points", "recompute", "--office", "kel-test"])
    assert result.exit_code == 0, result.output
    assert "10 ledger line(s) expected, 49 point(s) credited" in result.output
    assert "The ledger matches the event log." in result.output


def test_recompute_command_names_each_difference_and_exits_1(filled):
    with filled.extensions["ptsp.engine"].begin() as connection:
        connection.execute(text("UPDATE points_ledger SET points = 12.5 WHERE kind = 'release'"))
    result = CliRunner().invoke(cli, ["points", "recompute"])
    assert result.exit_code == 1
    assert "1 difference(s)" in result.output
    assert "release: changed (points: ledger=12.5 recomputed=2.0)" in result.output


def test_recompute_command_refuses_an_unknown_office(filled):
    result = CliRunner().invoke(cli, ["points", "recompute", "--office", "nowhere"])
    assert result.exit_code == 1 and "unknown office 'nowhere'" in result.output


def test_append_missing_fills_a_ledger_from_bare_history_and_changes_no_line(filled):
    with filled.extensions["ptsp.engine"].begin() as connection:
        connection.execute(text("DELETE FROM points_ledger WHERE kind IN ('award', 'bonus')"))
        connection.execute(text("UPDATE points_ledger SET reason = 'edited' WHERE kind = 'reject'"))
    result = CliRunner().invoke(cli, ["points", "recompute", "--append-missing"])
    assert "Appended 6 missing ledger line(s)." in result.output
    assert result.exit_code == 1 and "1 difference(s)" in result.output and "reject: changed (reason" in result.output
    with filled.extensions["ptsp.engine"].connect() as connection:
        assert connection.execute(text("SELECT reason FROM points_ledger WHERE kind = 'reject'")).scalar() == "edited"
