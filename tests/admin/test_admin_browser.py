"""The administration flows in Chromium against a live `ptsp run`, on SQLite and on PostgreSQL: add a clerk through
the pages, their forced first password, deactivation ending their open counter page, a kiosk paired from the
devices page and revoked, a reset password forcing a change, one's own password change, the audit log, and the
403 page for a supervisor and a clerk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ptsp.db import make_engine
from tests.conftest import LiveServer, ServerTemplate, seed_server_data


def _pg_template(pg_url: str) -> ServerTemplate:
    """The live server's offices and devices, loaded into the emptied PostgreSQL schema."""
    engine = make_engine(pg_url)
    try:
        display, kiosk = seed_server_data(engine)
    finally:
        engine.dispose()
    return ServerTemplate(Path("/dev/null"), display, kiosk)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live(request: pytest.FixtureRequest, tmp_path: Path, server_template: ServerTemplate) -> Any:
    if request.param == "sqlite":
        server = LiveServer(tmp_path, server_template)
    else:
        pg = request.getfixturevalue("pg_schema")
        pg.empty()
        server = LiveServer(tmp_path, _pg_template(pg.url))
        server.env["PTSP_DATABASE_URL"] = pg.url
    server.env["PTSP_SOCKET_RECHECK_SECONDS"] = "1"
    server.start()
    yield server
    server.stop()


def manager_login(page, base: str, username: str = "manager", password: str = "password-m") -> None:
    page.goto(f"{base}/manager/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def counter_login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/counter/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def save(page, name: str, shot) -> None:
    """A screenshot in the test's folder (or $PTSP_SCREENSHOTS/admin), for a person to look at."""
    shot(page, name, full_page=True)


def choose_password(page, new: str) -> None:
    page.fill("input[name=new]", new)
    page.fill("input[name=confirm]", new)
    page.click("#password-form button[type=submit]")
    page.wait_for_load_state()


def test_administration_flows_in_chromium(live, page_factory, shot, request):
    db = request.node.callspec.params["live"]
    manager = page_factory(1366, 768)
    manager_login(manager, live.base)
    manager.goto(f"{live.base}/manager/admin/staff")
    manager.fill("#add-staff input[name=name]", "Dewi Lestari")
    manager.fill("#add-staff input[name=username]", "dewi")
    manager.select_option("#add-staff select[name=role]", "clerk")
    manager.select_option("#add-staff select[name=office]", label="Kelurahan Uji")
    manager.select_option("#add-staff select[name=supervisor]", label="sup (supervisor)")
    manager.click("#add-staff button[type=submit]")
    temporary = manager.inner_text("#temporary-password").strip()
    assert "dewi" in manager.inner_text("#staff-list")
    save(manager, f"staff-added-1366-{db}", shot)

    # The new clerk's first login leads to the page that replaces the temporary password, then the counter.
    clerk = page_factory(1366, 768)
    counter_login(clerk, live.base, "dewi", temporary)
    assert clerk.url.endswith("/manager/password/new")
    choose_password(clerk, "hanyahurufsaja")
    assert clerk.is_visible("#form-error")
    save(clerk, f"forced-change-refused-1366-{db}", shot)
    choose_password(clerk, "Loket-tiga-2026")
    assert clerk.url.endswith("/counter/")
    clerk.wait_for_selector("#connection.conn-on")

    # Deactivating her ends the open counter page: its socket is dropped and the page goes to the login.
    manager.click("#staff-list a:text('dewi')")
    manager.click("#toggle-active button")
    assert manager.inner_text("#member-status") == "nonaktif"
    clerk.wait_for_function("location.pathname === '/counter/login'", timeout=15_000)

    # A kiosk paired from the devices page issues; revoked there, it is refused at once.
    manager.goto(f"{live.base}/manager/admin/devices")
    manager.fill("#add-device input[name=name]", "Kios pintu")
    manager.select_option("#add-device select[name=kind]", "kiosk")
    manager.select_option("#add-device select[name=office]", label="Kelurahan Uji")
    manager.click("#add-device button[type=submit]")
    link = manager.inner_text("#pairing-link").strip()
    save(manager, f"device-added-1366-{db}", shot)
    kiosk = page_factory(1080, 1920)
    kiosk.goto(link.replace("http://localhost", live.base))
    kiosk.wait_for_function("!location.hash && !document.getElementById('pair-help')")
    kiosk.wait_for_selector("#connection.conn-on")
    assert kiosk.evaluate("fetch('/kiosk/state').then(r => r.status)") == 200
    manager.click("tr[data-name='Kios pintu'] form.revoke button")
    assert kiosk.evaluate("fetch('/kiosk/state').then(r => r.status)") == 401
    assert kiosk.reload().status == 401 and "belum terdaftar" in kiosk.inner_text("h1")

    # A reset password: the old one no longer works, the temporary one only opens the change page.
    manager.goto(f"{live.base}/manager/admin/staff")
    manager.click("#staff-list a:text('clerk1')")
    manager.click("#reset-password button")
    reset = manager.inner_text("#temporary-password").strip()
    save(manager, f"password-reset-1366-{db}", shot)
    again = page_factory(1366, 768)
    counter_login(again, live.base, "clerk1", "password-1")
    assert "salah" in again.inner_text(".error")
    counter_login(again, live.base, "clerk1", reset)
    assert again.url.endswith("/manager/password/new") and again.is_visible("#password-form")

    # The manager changes their own password; the audit log shows every change with before and after.
    manager.goto(f"{live.base}/manager/password")
    manager.fill("input[name=current]", "password-m")
    choose_password(manager, "Camat-baru-2026")
    assert manager.is_visible("#saved")
    manager.goto(f"{live.base}/manager/admin/audit")
    actions = manager.eval_on_selector_all("#audit tbody tr", "rows => rows.map(r => r.dataset.action)")
    assert actions[:6] == ["password_changed", "password_reset", "revoked", "created", "deactivated",
                           "password_changed"]
    deactivated = manager.inner_text("#audit tr[data-action='deactivated']")
    assert '{"active": true}' in deactivated and '{"active": false}' in deactivated  # the change only
    assert " WIB" in deactivated  # the office's own time
    save(manager, f"audit-1366-{db}", shot)
    for path, name in (("admin/audit", "audit"), ("admin/staff", "staff"), ("admin/devices", "devices")):
        wide = page_factory(1920, 1080)
        manager_login(wide, live.base, "manager", "Camat-baru-2026")
        wide.goto(f"{live.base}/manager/{path}")
        save(wide, f"{name}-1920-{db}", shot)


def test_a_supervisor_and_a_clerk_get_the_403_page(live, page_factory, shot, request):
    db = request.node.callspec.params["live"]
    sup = page_factory(1366, 768)
    manager_login(sup, live.base, "sup", "password-s")
    response = sup.goto(f"{live.base}/manager/admin/staff")
    assert response.status == 403 and "tidak berwenang" in sup.inner_text("h1")
    assert "hanya untuk manajer dan admin" in sup.inner_text("main")
    assert not sup.is_visible("a:text-is('Petugas')")
    save(sup, f"refused-supervisor-1366-{db}", shot)
    clerk = page_factory(1366, 768)
    counter_login(clerk, live.base, "clerk1", "password-1")
    for path in ("admin/staff", "admin/devices", "admin/audit"):
        assert clerk.goto(f"{live.base}/manager/{path}").status == 403
    # But their own password, from the counter screen's name link.
    clerk.goto(f"{live.base}/counter/")
    clerk.click("#own-password")
    clerk.fill("input[name=current]", "password-1")
    choose_password(clerk, "Loket-satu-2026")
    assert clerk.is_visible("#saved")
    save(clerk, f"own-password-clerk-1366-{db}", shot)
    clerk.click("#back-to-counter")
    clerk.wait_for_selector("#connection.conn-on")
