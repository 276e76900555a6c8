"""`ptsp setup load|export` (docs/setup.md): refusals that change nothing, the dry run that matches the real
run, passwords never changed silently, and the export that loads back into the same set-up. On SQLite and
PostgreSQL, through the real command against a real database."""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib
import typing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.domain.hours import WEEKDAYS
from ptsp.models import Base, Staff
from ptsp.services.accounts import authenticate
from ptsp.services.setup import SetupFile
from tests.conftest import CHEAP_HASH, SETUP, WEEKDAY_HOURS

DEMO_FILE = Path(__file__).resolve().parents[1] / "ptsp" / "demo_office.toml"


@pytest.fixture
def env(monkeypatch, db_url):
    monkeypatch.setenv("PTSP_DATABASE_URL", db_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "setup-file-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    return db_url


def ptsp(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def loaded(env, tmp_path) -> dict[str, Any]:
    """The test offices loaded through the command; a copy of the document to change."""
    result = ptsp("setup", "load", write(tmp_path, "setup.json", SETUP))
    assert result.exit_code == 0, result.output
    return copy.deepcopy(SETUP)


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: two dumps are equal only if nothing changed."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
                    for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


def report(result: Result) -> list[str]:
    """The report of a load: its indented lines, without the first line (which names a dry or real run)."""
    return [line for line in result.stdout.splitlines() if line.startswith("  ")]


def office(doc: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(o for o in doc["offices"] if o["slug"] == slug)


# --- Refusals: nothing changed, exit status 2, one Error: line per problem ---------------------------------


def _second_office_reusing_a_username(doc: dict[str, Any]) -> dict[str, Any]:
    return {"offices": [{"slug": "kel-baru", "name": "Kelurahan Baru", "kind": "kelurahan", "hours": WEEKDAY_HOURS,
                         "staff": [{"username": "clerk1", "name": "Orang Lain", "role": "clerk",
                                    "password": "rahasia-baru-1"}]}]}


def _repeated_prefix(doc: dict[str, Any]) -> dict[str, Any]:
    office(doc, "kel-test")["services"].append(
        {"prefix": "A", "name_id": "Akta", "name_en": "Certificates", "standard_minutes": 15})
    return doc


def _repeated_counter(doc: dict[str, Any]) -> dict[str, Any]:
    office(doc, "kel-test")["counters"].append({"number": 2, "services": ["C"]})
    return doc


def _typos(doc: dict[str, Any]) -> dict[str, Any]:
    office(doc, "kel-test")["runing_text"] = office(doc, "kel-test").pop("running_text")
    office(doc, "kel-test")["services"][0]["quota"] = 40
    return doc


def _username_twice_in_the_file(doc: dict[str, Any]) -> dict[str, Any]:
    office(doc, "kel-lain")["staff"].append({"username": "clerk2", "name": "Dua Lagi", "role": "clerk"})
    return doc


REFUSALS = {
    # case: (change to the loaded document, the words each expected Error: line holds)
    "username of another office": (_second_office_reusing_a_username,
                                   [["'clerk1'", "kel-baru", "kel-test", "kantor lain"]]),
    "repeated prefix": (_repeated_prefix, [["offices[kel-test].services", "prefix 'A'", "lebih dari sekali"]]),
    "repeated counter number": (_repeated_counter,
                                [["offices[kel-test].counters", "number '2'", "lebih dari sekali"]]),
    "unknown keys": (_typos, [["offices[kel-test].runing_text", "tidak dikenal"],
                              ["offices[kel-test].services[A].quota", "tidak dikenal"]]),
    "username twice in the file": (_username_twice_in_the_file,
                                   [["offices[*].staff", "username 'clerk2'", "lebih dari sekali"],
                                    ["'clerk2'", "kel-lain", "kel-test", "kantor lain"]]),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_changes_nothing_and_names_the_problem(env, tmp_path, case):
    change, expected = REFUSALS[case]
    doc = change(loaded(env, tmp_path))
    before = dump(env)
    for dry in ([], ["--dry-run"]):
        result = ptsp("setup", "load", *dry, write(tmp_path, "bad.json", doc))
        assert result.exit_code == 2, result.output
        found = errors(result)
        assert len(found) == len(expected), found
        for words in expected:
            assert any(all(word in line for word in words) for line in found), (words, found)
        assert "tidak ada yang diubah" in result.stderr and result.stdout == ""
        assert dump(env) == before
    with sessionmaker(make_engine(env), info=CHEAP_HASH)() as session:  # the account did not move
        clerk = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        assert clerk.office.slug == "kel-test" and authenticate(session, "clerk1", "password-1") is not None


def test_every_problem_of_a_file_is_listed_at_once(env, tmp_path):
    doc = _repeated_counter(_repeated_prefix(loaded(env, tmp_path)))
    doc["offices"].append(_second_office_reusing_a_username(doc)["offices"][0])
    office(doc, "kel-lain")["counters"][0]["services"] = ["A", "Z"]
    office(doc, "kel-lain")["staff"][0]["supervisor"] = "nobody"
    before = dump(env)
    result = ptsp("setup", "load", write(tmp_path, "bad.json", doc))
    assert result.exit_code == 2
    found = errors(result)
    assert len(found) == 6, found  # clerk1 is both written twice in the file and an account of kel-test
    assert any("prefix 'A'" in line for line in found) and any("number '2'" in line for line in found)
    assert any("username 'clerk1'" in line for line in found)
    assert any("'clerk1' di kantor kel-baru" in line for line in found)
    assert any("Z" in line and "kel-lain" in line for line in found) and any("'nobody'" in line for line in found)
    assert "(6 masalah)" in result.stderr
    assert dump(env) == before


def test_a_file_that_is_not_toml_is_refused_in_one_line(env, tmp_path):
    loaded(env, tmp_path)
    before = dump(env)
    path = tmp_path / "broken.toml"
    path.write_text('[[offices]]\nslug = "kel-test\n')
    result = ptsp("setup", "load", str(path))
    assert result.exit_code == 2 and len(errors(result)) == 1 and "TOML" in errors(result)[0]
    assert dump(env) == before


# --- Passwords ---------------------------------------------------------------------------------------------


def test_a_password_in_the_file_never_changes_an_existing_account_without_reset_passwords(env, tmp_path):
    doc = loaded(env, tmp_path)
    office(doc, "kel-test")["staff"][1]["password"] = "ganti-sandi-1"  # clerk1
    path = write(tmp_path, "changed.json", doc)
    before = dump(env)
    kept = ptsp("setup", "load", path)
    assert kept.exit_code == 0, kept.output
    warning = [line for line in report(kept) if line.strip().startswith("Warning:") and "clerk1" in line]
    assert len(warning) == 1 and "NOT applied" in warning[0] and "--reset-passwords" in warning[0]
    assert dump(env) == before  # the same file again: nothing at all changed, the password neither
    dry_reset = ptsp("setup", "load", "--dry-run", "--reset-passwords", path)
    assert "    change staff clerk1: password reset from the file (its sessions end)" in report(dry_reset)
    assert dump(env) == before
    assert report(ptsp("setup", "load", "--reset-passwords", path)) == report(dry_reset)
    with sessionmaker(make_engine(env), info=CHEAP_HASH)() as session:
        assert authenticate(session, "clerk1", "ganti-sandi-1") is not None


# --- The report: what is added, changed and left alone; the dry run is the real run ------------------------


def _changed(doc: dict[str, Any]) -> dict[str, Any]:
    kel = office(doc, "kel-test")
    kel["running_text"] = "Teks baru"
    kel["services"][0]["standard_minutes"] = 12  # A
    kel["services"].append({"prefix": "D", "name_id": "Akta", "name_en": "Certificates", "standard_minutes": 15})
    kel["counters"] = [c for c in kel["counters"] if c["number"] != 3]
    kel["counters"][1]["services"] = ["C", "A"]  # counter 2 drops B
    kel["counters"].append({"number": 4, "name": "Loket Akta", "services": ["D"]})
    kel["staff"] = [st for st in kel["staff"] if st["username"] != "clerk3"]
    kel["staff"].append({"username": "clerk4", "name": "Clerk Empat", "role": "clerk", "supervisor": "sup"})
    del kel["staff"][2]["supervisor"]  # clerk2 loses its supervisor
    doc["offices"] = [o for o in doc["offices"] if o["slug"] != "kel-lain"]
    return doc


def test_the_dry_run_reports_what_the_real_run_does_and_changes_nothing(env, tmp_path):
    path = write(tmp_path, "changed.json", _changed(loaded(env, tmp_path)))
    before = dump(env)
    dry = ptsp("setup", "load", "--dry-run", path)
    assert dry.exit_code == 0, dry.output
    assert dump(env) == before and "Nothing was changed (dry run)." in dry.stdout
    assert "New password" not in dry.stdout
    lines = report(dry)
    for expected in (
        "  change office kel-test: running_text 'Layanan PTSP gratis. Laporkan pungutan liar ke loket peng...' -> "
        "'Teks baru'",
        "    change service A: standard_minutes 10.0 -> 12.0",
        "    add service D",
        "    change counter 2: services ['A', 'B', 'C'] -> ['A', 'C']",
        "    add counter 4",
        "    add staff clerk4: password generated (printed once)",
        "    change staff clerk2: supervisor 'sup' -> none",
        "    unchanged: service B, C; counter 1; staff sup, clerk1",
        "    not in the file, left alone: counter 3; staff clerk3",
        "  office kel-lain: not in the file, left alone",
        "  Summary: 3 to add, 4 to change, 7 unchanged, 3 not in the file (left alone).",
    ):
        assert expected in lines, (expected, lines)

    real = ptsp("setup", "load", path)
    assert real.exit_code == 0, real.output
    assert report(real) == lines  # the same report, line for line
    assert dump(env) != before
    new_password = real.stdout.split("New password for clerk4: ", 1)[1].split()[0]
    again = ptsp("setup", "load", "--dry-run", path)
    assert "  Summary: 0 to add, 0 to change, 14 unchanged, 3 not in the file (left alone)." in report(again)
    with sessionmaker(make_engine(env), info=CHEAP_HASH)() as session:
        staff = {st.username: st for st in session.scalars(select(Staff))}
        assert staff["clerk3"].active and staff["clerk3"].office.slug == "kel-test"  # left alone, not removed
        assert staff["clerk2"].supervisor is None and staff["clerk4"].supervisor.username == "sup"
        assert authenticate(session, "clerk4", new_password) is not None


def test_a_supervisor_may_be_named_before_the_office_that_holds_the_account(env, tmp_path):
    doc = copy.deepcopy(SETUP)
    doc["offices"].reverse()  # kel-test's staff name `manager` of kec-test, now written after them
    for o in doc["offices"]:
        o.pop("parent", None)
    result = ptsp("setup", "load", write(tmp_path, "reversed.json", doc))
    assert result.exit_code == 0, result.output
    with sessionmaker(make_engine(env))() as session:
        sup = session.scalar(select(Staff).where(Staff.username == "sup"))
        assert sup.supervisor.username == "manager"


# --- Export ------------------------------------------------------------------------------------------------


def _empty_database(request, env: str, monkeypatch, tmp_path: Path) -> str:
    """A migrated, empty database of the same kind as `env` (the test's own one emptied, for PostgreSQL)."""
    if env.startswith("sqlite"):
        path = tmp_path / "empty.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        request.getfixturevalue("pg_schema").empty()
        url = env
    monkeypatch.setenv("PTSP_DATABASE_URL", url)
    return url


def test_an_export_loaded_into_an_empty_database_gives_the_same_set_up(env, tmp_path, request, monkeypatch):
    assert ptsp("setup", "load", str(DEMO_FILE)).exit_code == 0
    doc = loaded(env, tmp_path)
    kel = office(doc, "kel-test")
    kel["services"][2]["active"] = False
    kel["counters"][0]["name"] = "Loket Satu"
    kel["counters"][2]["active"] = False  # counter 3, closed for good
    kel["complaint_channel"] = "WhatsApp 0812"
    kel["hours"] = WEEKDAY_HOURS | {"sat": [["08:00", "12:00"]]}
    kel["closures"] = {"fri": [["11:30", "13:30", "Sholat Jumat"]]}
    assert ptsp("setup", "load", write(tmp_path, "more.json", doc)).exit_code == 0
    assert ptsp("user", "deactivate", "clerk3").exit_code == 0

    first = ptsp("setup", "export")
    assert first.exit_code == 0, first.output
    assert "Not exported: clerk3 (deactivated)" in first.stderr
    exported = tomllib.loads(first.stdout)
    assert "password" not in first.stdout and "password_hash" not in first.stdout
    assert [o["slug"] for o in exported["offices"]] == [
        "kec-menteng", "kel-pegangsaan", "kel-gondangdia", "kec-test", "kel-test", "kel-lain"]
    assert {c["number"]: c["active"] for c in office(exported, "kel-test")["counters"]} == {1: True, 2: True, 3: False}
    again = ptsp("setup", "load", "--dry-run", write(tmp_path, "export.json", exported))
    assert "to add, 0 to change" in report(again)[-1] and " 0 to add" in report(again)[-1]

    path = tmp_path / "export.toml"
    path.write_text(first.stdout)
    _empty_database(request, env, monkeypatch, tmp_path)
    into_empty = ptsp("setup", "load", str(path))
    assert into_empty.exit_code == 0, into_empty.output
    assert into_empty.stdout.count("New password for ") == 14  # every exported account, each a new password
    second = ptsp("setup", "export")
    assert second.stdout == first.stdout


def test_export_of_named_offices_and_of_an_unknown_one(env, tmp_path):
    loaded(env, tmp_path)
    one = ptsp("setup", "export", "--office", "kel-lain")
    assert one.exit_code == 0, one.output
    assert tomllib.loads(one.stdout) == {"offices": [{
        "slug": "kel-lain", "name": "Kelurahan Lain", "kind": "kelurahan", "timezone": "Asia/Makassar",
        "hours": WEEKDAY_HOURS, "last_ticket_minutes": 30, "starvation_minutes": 30, "max_calls": 3,
        "on_recall_limit": "requeue", "target_wait_minutes": 15, "phone_tickets": False, "alert_position": 3,
        "park_minutes": 30, "late_reinsert_places": 0,
        "booking_slot_minutes": 30, "booking_days_ahead": 14, "booking_early_minutes": 30,
        "booking_late_minutes": 15, "booking_max_per_day": 2, "booking_no_show_limit": 2, "booking_block_days": 30,
        "booking_max_run": 2,
        "services": [{"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 10.0,
                      "active": True, "requirements": [], "fee_rupiah": 0, "booking_share": 0.5, "route": []}],
        "counters": [{"number": 1, "active": True, "services": ["A"]}],
        "staff": [{"username": "other", "name": "Petugas Lain", "role": "clerk"}],
    }]}
    missing = ptsp("setup", "export", "--office", "kel-lain", "--office", "nowhere")
    assert missing.exit_code == 2 and errors(missing) == ["Error: Kantor tidak dikenal: nowhere"]
    assert missing.stdout == ""


def test_a_dry_run_writes_nothing_even_when_its_session_is_committed(db_url, tmp_path):
    """The service itself writes nothing in a dry run (the command also rolls back): no row, no password."""
    from ptsp.services.setup import load_setup

    engine = make_engine(db_url)
    try:
        with sessionmaker(engine, info=CHEAP_HASH)() as session:
            load_setup(session, SETUP)
            session.commit()
        before = dump(db_url)
        with sessionmaker(engine, info=CHEAP_HASH)() as session:
            result = load_setup(session, _changed(copy.deepcopy(SETUP)), dry_run=True, reset_passwords=True)
            session.commit()
        assert result.generated == {} and result.reset == [] and result.count("add") == 3
        assert dump(db_url) == before
    finally:
        engine.dispose()


# --- docs/setup.md documents every key the loader accepts ------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "setup.md"


def _nested_models(model: type[BaseModel], path: str) -> dict[str, type[BaseModel]]:
    """Every model of the file by the TOML key that holds it (`offices.services`), found from the models."""
    found: dict[str, type[BaseModel]] = {}
    for name, info in model.model_fields.items():
        for inner in typing.get_args(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                key = f"{path}.{name}".lstrip(".")
                found[key] = inner
                found |= _nested_models(inner, key)
    return found


def _documented() -> dict[str, dict[str, str]]:
    """The reference tables of docs/setup.md: per `### [[key]]` heading, each key's default column."""
    tables: dict[str, dict[str, str]] = {}
    current = None
    for line in DOCS.read_text().splitlines():
        heading = re.match(r"^### `\[\[([a-z.]+)\]\]`$", line)
        if heading:
            current = tables.setdefault(heading.group(1), {})
        elif line.startswith("#"):
            current = None
        elif current is not None and (row := re.match(r"^\| `([a-z_]+)` \|[^|]*\| ([^|]+) \|", line)):
            current[row.group(1)] = row.group(2).strip()
    return tables


def _default_column(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    default = info.get_default(call_default_factory=True)
    return "not set" if default is None else f"`{json.dumps(default)}`"


def test_every_key_the_loader_accepts_is_documented_with_its_default():
    models = _nested_models(SetupFile, "")
    assert {"offices", "offices.services", "offices.counters", "offices.staff"} <= set(models)
    documented = _documented()
    assert set(documented) == set(models)
    for key, model in models.items():
        expected = {name: _default_column(info) for name, info in model.model_fields.items()}
        assert documented[key] == expected, key
    text = DOCS.read_text()
    assert all(f"`{day}`" in text for day in WEEKDAYS)  # the keys of [offices.hours] and [offices.closures]


def test_an_admin_without_an_office_is_not_pulled_into_one_by_a_file(env, tmp_path):
    doc = loaded(env, tmp_path)
    added = CliRunner().invoke(cli, ["user", "add", "--username", "kota-admin", "--name", "Admin Kota", "--role",
                                     "admin"], input="rahasia-kota\nrahasia-kota\n")
    assert added.exit_code == 0, added.output
    office(doc, "kel-lain")["staff"].append({"username": "kota-admin", "name": "Admin", "role": "clerk"})
    before = dump(env)
    result = ptsp("setup", "load", write(tmp_path, "admin.json", doc))
    assert result.exit_code == 2
    assert errors(result) == ["Error: Nama pengguna 'kota-admin' di kantor kel-lain sudah dipakai akun tanpa kantor "
                              "(admin): berkas tidak memindahkannya ke kantor, pakai nama pengguna lain"]
    assert dump(env) == before
    exported = ptsp("setup", "export")
    assert "Not exported: kota-admin (no office)" in exported.stderr and "kota-admin" not in exported.stdout


def test_a_deactivated_account_named_in_the_file_stays_deactivated_and_the_load_says_so(env, tmp_path):
    doc = loaded(env, tmp_path)
    assert ptsp("user", "deactivate", "clerk2").exit_code == 0
    before = dump(env)
    result = ptsp("setup", "load", write(tmp_path, "again.json", doc))
    assert result.exit_code == 0, result.output
    assert "  Warning: clerk2 is deactivated; loading the file does not activate the account " \
           "(ptsp user activate clerk2)" in result.stdout.splitlines()
    assert dump(env) == before


def _counter_active(url: str) -> dict[int, bool]:
    from ptsp.models import Counter, Office

    with sessionmaker(make_engine(url))() as session:
        return dict(session.execute(select(Counter.number, Counter.active).join(Office)
                                    .where(Office.slug == "kel-test")).all())


def test_a_counter_closed_for_good_in_the_file_the_dry_run_says_so_and_an_open_one_is_refused(env, tmp_path):
    from datetime import UTC, datetime

    from ptsp.models import Counter, Office
    from ptsp.services.actors import Actor
    from ptsp.services.counters import open_counter

    doc = loaded(env, tmp_path)
    assert _counter_active(env) == {1: True, 2: True, 3: True}  # `active` left out: true
    office(doc, "kel-test")["counters"][2]["active"] = False
    path = write(tmp_path, "closed.json", doc)
    before = dump(env)
    dry = ptsp("setup", "load", "--dry-run", path)
    assert dry.exit_code == 0, dry.output
    assert "    change counter 3: active true -> false" in report(dry) and dump(env) == before
    real = ptsp("setup", "load", path)
    assert real.exit_code == 0 and report(real) == report(dry)
    assert _counter_active(env) == {1: True, 2: True, 3: False}
    # Written back without `active` (true by default), the load opens it again, and says so first.
    office(doc, "kel-test")["counters"][2].pop("active")
    reopened = ptsp("setup", "load", "--dry-run", write(tmp_path, "reopened.json", doc))
    assert "    change counter 3: active false -> true" in report(reopened)

    # A counter a clerk has open now is not closed by a file: refused, nothing changed.
    with sessionmaker(make_engine(env))() as session:
        two = session.scalar(select(Counter).join(Office).where(Office.slug == "kel-test", Counter.number == 2))
        clerk = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        open_counter(session, counter_id=two.id, actor=Actor("staff", clerk.id, "clerk", clerk.office_id),
                     now=datetime.now(UTC))
        session.commit()
    office(doc, "kel-test")["counters"][1]["active"] = False
    before = dump(env)
    for dry_run in (["--dry-run"], []):
        refused = ptsp("setup", "load", *dry_run, write(tmp_path, "busy.json", doc))
        assert refused.exit_code == 2, refused.output
        assert any("kel-test" in line and "Loket 2" in line and "Clerk Satu" in line for line in errors(refused)), \
            errors(refused)
        assert dump(env) == before
    assert _counter_active(env) == {1: True, 2: True, 3: False}
