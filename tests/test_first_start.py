"""`ptsp init`, the demo's own database and the landing page `/`: the first start of a real office."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ptsp.cli import cli
from ptsp.config import load_config
from ptsp.db import make_engine
from ptsp.models import Office, Staff
from tests.conftest import Clock, make_test_app

INIT = ["init", "--office-name", "PTSP Kelurahan Sukamaju", "--office-slug", "kel-sukamaju", "--kind", "kelurahan",
        "--timezone", "WITA", "--admin-username", "admin", "--admin-name", "Andi Admin"]
PASSWORD = "kata-sandi-admin-1"


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A database file that does not exist yet, as on a new server; the command runs in the test's folder."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("PTSP_DATABASE_URL", url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "first-start-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    monkeypatch.setenv("PTSP_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")
    (tmp_path / "password.txt").write_text(PASSWORD + "\n")
    return url


def counts(url: str) -> tuple[int, int]:
    with sessionmaker(make_engine(url))() as session:
        return (session.scalar(select(func.count()).select_from(Office)),
                session.scalar(select(func.count()).select_from(Staff)))


def test_init_creates_the_office_and_an_admin_who_can_log_in(fresh, tmp_path):
    result = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert result.exit_code == 0, result.output
    assert "Created PTSP Kelurahan Sukamaju (kel-sukamaju)" in result.output
    for step in ("ptsp setup load", "ptsp run --host 0.0.0.0", "ptsp device add --office kel-sukamaju --kind kiosk",
                 "/manager/login"):
        assert step in result.output, step
    with sessionmaker(make_engine(fresh))() as session:
        office = session.scalars(select(Office)).one()
        admin = session.scalars(select(Staff)).one()
        assert (office.slug, office.kind, office.timezone) == ("kel-sukamaju", "kelurahan", "Asia/Makassar")
        assert (admin.username, admin.role, admin.office_id, admin.active) == ("admin", "admin", office.id, True)
        assert PASSWORD not in admin.password_hash

    app = make_test_app(fresh, Clock(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)))
    client = app.test_client()
    wrong = client.post("/manager/login", data={"username": "admin", "password": "salah-sekali"})
    assert wrong.status_code == 401
    page = client.post("/manager/login", data={"username": "admin", "password": PASSWORD})
    assert page.status_code == 302, page.get_data(as_text=True)
    assert client.get("/manager/").status_code in (200, 302)
    assert client.get("/api/v1/auth/me").get_json()["username"] == "admin"
    app.extensions["ptsp.engine"].dispose()


def test_init_asks_for_what_it_was_not_given_and_the_password_twice(fresh):
    typed = "\n".join(["Kantor Uji", "kantor-uji", "mpp", "wit", "kepala", "Bu Kepala",
                       PASSWORD, "tidak-sama-123", PASSWORD, PASSWORD]) + "\n"
    result = CliRunner().invoke(cli, ["init"], input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output  # the mismatched pair was asked again
    with sessionmaker(make_engine(fresh))() as session:
        office = session.scalars(select(Office)).one()
        assert (office.name, office.kind, office.timezone) == ("Kantor Uji", "mpp", "Asia/Jayapura")
        assert session.scalars(select(Staff.username)).one() == "kepala"


def test_init_refuses_the_demos_database_and_changes_nothing(fresh, tmp_path):
    from ptsp.demo import prepare_demo

    demo_app = make_test_app(fresh, Clock(datetime.now(UTC)))
    prepare_demo(demo_app)
    demo_app.extensions["ptsp.engine"].dispose()
    before = counts(fresh)

    result = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert result.exit_code == 1
    assert "holds the demo" in result.output and "published" in result.output and "--force" in result.output
    assert counts(fresh) == before

    forced = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt"), "--force"])
    assert forced.exit_code == 0, forced.output
    assert counts(fresh) == (before[0] + 1, before[1] + 1)


def test_init_refuses_a_database_holding_any_office_and_changes_nothing(fresh, tmp_path):
    first = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert first.exit_code == 0, first.output
    password = str(tmp_path / "password.txt")
    again = CliRunner().invoke(cli, [*INIT[:4], "kel-lain", *INIT[5:], "--password-file", password])
    assert again.exit_code == 1 and "not empty (1 office(s), 1 account(s), 0 ticket(s))" in again.output
    assert "ptsp setup load" in again.output
    assert counts(fresh) == (1, 1)


@pytest.mark.parametrize(("change", "message"), [
    (("--office-slug", "Kel Sukamaju!"), "slug"),
    (("--admin-username", "A"), "tidak valid"),
    (("--timezone", "UTC"), "UTC"),
])
def test_init_with_bad_input_says_why_and_creates_nothing(fresh, tmp_path, change, message):
    args = list(INIT)
    args[args.index(change[0]) + 1] = change[1]
    result = CliRunner().invoke(cli, [*args, "--password-file", str(tmp_path / "password.txt")])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output
    # the failed try left nothing behind: a retry is not refused as "not empty", and makes exactly one of each
    retry = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert retry.exit_code == 0, retry.output
    assert counts(fresh) == (1, 1)


def test_init_refuses_a_short_or_empty_password_file(fresh, tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("pendek\n")
    result = CliRunner().invoke(cli, [*INIT, "--password-file", str(short)])
    assert result.exit_code == 1 and "minimal 8" in result.output
    short.write_text("\n")
    empty = CliRunner().invoke(cli, [*INIT, "--password-file", str(short)])
    assert empty.exit_code == 1 and "no password" in empty.output
    assert counts(fresh) == (0, 0)


def test_the_demo_and_a_real_office_have_different_default_databases(monkeypatch, tmp_path):
    monkeypatch.delenv("PTSP_DATABASE_URL", raising=False)
    monkeypatch.delenv("PTSP_DEMO_DATABASE_URL", raising=False)
    real = load_config(str(tmp_path), {"TESTING": True})["DATABASE_URL"]
    demo = load_config(str(tmp_path), {"TESTING": True, "DEMO": True})["DATABASE_URL"]
    assert (real, demo) == (f"sqlite:///{tmp_path / 'ptsp.db'}", f"sqlite:///{tmp_path / 'ptsp-demo.db'}")
    monkeypatch.setenv("PTSP_DEMO_DATABASE_URL", "postgresql://127.0.0.1/demo")
    monkeypatch.setenv("PTSP_DATABASE_URL", "postgresql://127.0.0.1/office")
    assert load_config(str(tmp_path), {"TESTING": True, "DEMO": True})["DATABASE_URL"].endswith("/demo")
    assert load_config(str(tmp_path), {"TESTING": True})["DATABASE_URL"].endswith("/office")


def test_the_demo_refuses_a_database_holding_a_real_office(fresh, tmp_path):
    assert CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")]).exit_code == 0
    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 1 and "holds other offices (kel-sukamaju)" in result.output
    assert "PTSP_DEMO_DATABASE_URL" in result.output
    assert counts(fresh) == (1, 1)  # no demo office, no demo login


def test_the_landing_page_of_an_empty_installation_says_to_run_init(fresh):
    from ptsp.migrate import upgrade

    app = make_test_app(fresh, Clock(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)))
    upgrade(app.extensions["ptsp.engine"])
    page = app.test_client().get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Belum ada kantor" in text and "ptsp init" in text and 'href="/counter/login"' in text
    app.extensions["ptsp.engine"].dispose()


def test_the_landing_page_lists_each_offices_stations_in_both_languages(app, client, world):
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for part in ("Halaman petugas", "Layar loket", 'href="/counter/login"', 'href="/manager/login"',
                 "Kelurahan Uji", "ptsp device add --office kel-test --kind kiosk", "/display/#token=…",
                 "Kios: 1 · Layar: 1", "3 layanan aktif", "Kelurahan Lain", "WITA", 'hreflang="en"'):
        assert part in text, part
    assert "Belum ada kantor" not in text
    # the kecamatan has neither services nor counters: it says what is missing
    assert text.count("Belum siap melayani") == 1
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Counter screen" in english and "Manager pages" in english and "3 active services" in english


def test_init_writes_a_starter_setup_file_that_loads_and_opens_the_kiosk(fresh, tmp_path, monkeypatch):
    result = CliRunner().invoke(cli, [*INIT[:2], 'PTSP "Sukamaju" Baru', *INIT[3:],
                                      "--password-file", str(tmp_path / "password.txt")])
    assert result.exit_code == 0, result.output
    starter = tmp_path / "kel-sukamaju.toml"
    assert f"A starter file to edit is written: {starter.name}" in result.output
    assert f"ptsp setup load {starter.name}" in result.output
    loaded = CliRunner().invoke(cli, ["setup", "load", str(starter)])
    assert loaded.exit_code == 0, loaded.output
    assert "New password for petugas1" in loaded.output
    with sessionmaker(make_engine(fresh))() as session:
        office = session.scalars(select(Office)).one()
        assert office.name == 'PTSP "Sukamaju" Baru' and office.timezone == "Asia/Makassar"
        assert [s.prefix for s in office.services] == ["A"] and office.services[0].requirements[0] == "KTP-el"
        assert [c.number for c in office.counters] == [1] and office.hours["fri"]
        clerk = session.scalars(select(Staff).where(Staff.username == "petugas1")).one()
        assert clerk.supervisor.username == "admin"
    # a second init elsewhere never overwrites the officer's edited file
    starter.write_text("# edited\n")
    monkeypatch.setenv("PTSP_DATABASE_URL", f"sqlite:///{tmp_path / 'second.db'}")
    again = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert again.exit_code == 0 and "already exists and was left as it is" in again.output
    assert starter.read_text() == "# edited\n"


def test_init_on_an_empty_migrated_database_of_either_engine(db_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PTSP_DATABASE_URL", db_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "first-start-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    monkeypatch.setenv("PTSP_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")
    (tmp_path / "password.txt").write_text(PASSWORD)
    result = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert result.exit_code == 0, result.output
    assert counts(db_url) == (1, 1)
    app = make_test_app(db_url, Clock(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)))
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
    assert "PTSP Kelurahan Sukamaju" in client.get("/").get_data(as_text=True)
    app.extensions["ptsp.engine"].dispose()
    again = CliRunner().invoke(cli, [*INIT, "--password-file", str(tmp_path / "password.txt")])
    assert again.exit_code == 1 and counts(db_url) == (1, 1)
