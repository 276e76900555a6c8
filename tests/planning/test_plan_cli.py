"""`ptsp plan`: tables on the terminal, CSV files on disk, readable refusals."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.services.setup import load_setup
from tests.conftest import CHEAP_HASH, SETUP
from tests.planning.history_builder import office_days

START = date(2026, 11, 23)


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def offices(monkeypatch, sqlite_url):
    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")  # a short secret is refused in production
    engine = make_engine(sqlite_url)
    session = sessionmaker(engine, info=CHEAP_HASH)()
    load_setup(session, SETUP)
    session.commit()
    session.close()
    engine.dispose()
    return sqlite_url


@pytest.fixture
def office_with_history(offices):
    engine = make_engine(offices)
    session = sessionmaker(engine)()
    days = [START - timedelta(days=i) for i in range(1, 15) if (START - timedelta(days=i)).weekday() < 5]
    office_days(session, "kel-test", days, lambda p, h, wd: {"A": 6.0, "B": 1.0, "C": 3.0}[p],
                {"A": 10.0, "B": 20.0, "C": 5.0}, lambda h, wd: 3, patience=40.0)
    session.commit()
    session.close()
    engine.dispose()


def test_plan_prints_tables_and_writes_csv(office_with_history, tmp_path):
    result = CliRunner().invoke(cli, ["plan", "--office", "kel-test", "--from", "2026-11-23", "--weeks", "2",
                                      "--replications", "2", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for heading in ("Kebutuhan per jam", "Shift (MILP, HiGHS)", "Roster", "Uji balik", "Jam buka",
                    "Batas tiket terakhir"):
        assert heading in result.output
    assert "Minggu 2026-11-30: optimal" in result.output
    hourly = read_csv(tmp_path / "out" / "hourly.csv")
    monday_ten = next(r for r in hourly if r["weekday"] == "mon" and r["hour"] == "10:00")
    # 10 residents an hour: points are 6 x 10 + 1 x 20 + 3 x 5 standard minutes.
    assert float(monday_ten["arrivals"]) == pytest.approx(10, abs=4)
    assert float(monday_ten["points"]) > 0 and int(monday_ten["clerks_needed"]) >= 1
    assert monday_ten["simulated_service_level"] != ""
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert names == {"hourly.csv", "days.csv", "shifts.csv", "roster.csv", "estimates.csv", "backtest.csv",
                     "backtest_error.csv", "opening_hours.csv"}
    backtest = read_csv(tmp_path / "out" / "backtest.csv")
    assert backtest and all(r["day"] >= "2026-11-16" for r in backtest)
    estimates = read_csv(tmp_path / "out" / "estimates.csv")
    patience = next(r for r in estimates if r["what"].startswith("patience"))
    assert float(patience["low"]) < float(patience["estimate"]) < float(patience["high"])


@pytest.mark.parametrize(("args", "message"), [
    (["--office", "nowhere", "--from", "2026-11-23"], "unknown office 'nowhere'"),
    (["--office", "kel-test", "--from", "23/11/2026"], "Invalid value for '--from'"),
    (["--office", "kel-test", "--from", "2026-11-23", "--target-level", "0"], "--target-level"),
    (["--office", "kel-test", "--from", "2026-11-23", "--min-weekly-hours", "50"], "Jam kerja mingguan"),
])
def test_bad_plan_arguments_are_refused_readably(offices, args, message):
    result = CliRunner().invoke(cli, ["plan", *args])
    assert result.exit_code != 0
    assert message in result.output
