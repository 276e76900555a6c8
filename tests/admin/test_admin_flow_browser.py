"""Issue 15's whole administration story in one Chromium run against a live `ptsp run`, on SQLite and on PostgreSQL.

Through the pages only, an admin turns the test office into an MPP, adds two agencies, a service of the first
(requirements, a fee and its legal basis), a counter of that agency serving it, a clerk and a manager of it (each
temporary password shown once), and a service, counter and clerk of the second. The clerk's first login forces a
new password and opens the counter; a kiosk paired from the devices page shows the agency's tile and the service's
standard and issues a ticket; the clerk calls it. Then the admin deactivates the clerk (the open counter page is
sent to the login), revokes the kiosk (its next request is refused) and resets the agency manager's password (a
new one is chosen at the next login). That agency manager gets the 403 page for the other agency's service,
counter and clerk and for the office settings; a clerk gets it for every administration page.
"""

from __future__ import annotations

import re

import pytest

from tests.admin.test_admin_browser import choose_password, counter_login, live, manager_login  # noqa: F401
from tests.conftest import pair_page

pytestmark = pytest.mark.browser

REQUIREMENTS = ["Formulir permohonan", "KTP-el pemohon", "Gambar situasi bangunan"]
CHANNEL = "WhatsApp Pengaduan DPMPTSP 0812-7777"
BASIS = "Perda Kota Uji No. 4 Tahun 2024 tentang Retribusi PBG"


def _id(url: str) -> int:
    found = re.search(r"/(\d+)(?:\?|$)", url)
    assert found, url
    return int(found.group(1))


def add_agency(page, code: str, name: str, name_en: str, channel: str = "") -> None:
    page.fill("#add-agency input[name=code]", code)
    page.fill("#add-agency input[name=complaint_channel]", channel)
    page.fill("#add-agency input[name=name]", name)
    page.fill("#add-agency input[name=name_en]", name_en)
    page.click("#add-agency button[type=submit]")
    page.wait_for_selector(f"#agency-list tr[data-code='{code}']")


def add_service(page, base: str, agency: str, prefix: str, name: str, *, fee: str = "0", basis: str = "",
                requirements: list[str] | None = None) -> int:
    page.goto(f"{base}/manager/admin/services")
    form = "#add-service"
    page.select_option(f"{form} select[name=office]", label="Kelurahan Uji")
    page.select_option(f"{form} select[name=agency]", label=agency)
    page.fill(f"{form} input[name=prefix]", prefix)
    page.fill(f"{form} input[name=name_id]", name)
    page.fill(f"{form} input[name=name_en]", name + " (en)")
    page.fill(f"{form} input[name=standard_minutes]", "15")
    page.fill(f"{form} textarea[name=requirements]", "\n".join(requirements or []))
    page.fill(f"{form} input[name=fee_rupiah]", fee)
    page.fill(f"{form} input[name=fee_basis]", basis)
    page.fill(f"{form} input[name=completion_days]", "5")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#saved")
    return _id(page.url)


def add_counter(page, base: str, agency: str, number: int, service: str) -> int:
    page.goto(f"{base}/manager/admin/counters")
    page.fill("#add-counter input[name=number]", str(number))
    page.select_option("#add-counter select[name=office]", label="Kelurahan Uji")
    page.select_option("#add-counter select[name=agency]", label=agency)
    served = "#add-counter fieldset.served:has(legend:text('Kelurahan Uji'))"
    page.check(f"{served} label:has-text('{service}') input")
    page.click("#add-counter button[type=submit]")
    page.wait_for_selector("#saved")
    return _id(page.url)


def add_staff(page, base: str, username: str, role: str, agency: str) -> str:
    """Add an account of the test office's agency; return the temporary password the page shows."""
    page.goto(f"{base}/manager/admin/staff")
    page.fill("#add-staff input[name=name]", username.title())
    page.fill("#add-staff input[name=username]", username)
    page.select_option("#add-staff select[name=role]", role)
    page.select_option("#add-staff select[name=office]", label="Kelurahan Uji")
    page.select_option("#add-staff select[name=agency]", label=f"{agency} · Kelurahan Uji")
    page.click("#add-staff button[type=submit]")
    return page.inner_text("#temporary-password").strip()


def test_an_mpp_agency_set_up_on_the_pages_serves_a_resident_and_its_manager_stays_in_scope(
        live, page_factory, shot, request):  # noqa: F811  (the live fixture)
    def _shot(page, name: str) -> None:  # in the test's tmp folder, or $PTSP_SCREENSHOTS/admin
        shot(page, name, full_page=True)

    db = request.node.callspec.params["live"]
    base = live.base
    # The one account made outside the pages: the first admin, as at installation (`ptsp user add`).
    live.cli("user", "add", "--username", "admin", "--name", "Admin PTSP", "--role", "admin",
             "--password", "Admin-ptsp-2026")
    admin = page_factory(1366, 768)
    manager_login(admin, base, "admin", "Admin-ptsp-2026")
    assert admin.url.endswith("/manager/")

    # The office becomes an MPP and gets two agencies.
    admin.goto(f"{base}/manager/admin/offices")
    admin.click("#office-list tr[data-slug='kel-test'] a")
    office_id = _id(admin.url)
    admin.select_option("#edit-office select[name=kind]", "mpp")
    admin.click("#edit-office button[type=submit]")
    admin.wait_for_selector("#saved")
    add_agency(admin, "DPMPTSP", "Dinas Penanaman Modal dan PTSP", "Investment and One-Stop Service Office",
               CHANNEL)
    add_agency(admin, "BPN", "Badan Pertanahan Nasional", "Land Agency")
    _shot(admin, f"01-office-agencies-1366-{db}")

    # Agency A's service, with its standard, and its counter; agency B's too.
    service_a = add_service(admin, base, "DPMPTSP · Dinas Penanaman Modal dan PTSP", "P",
                            "Persetujuan Bangunan Gedung", fee="250000", basis=BASIS, requirements=REQUIREMENTS)
    _shot(admin, f"02-service-a-1366-{db}")
    service_b = add_service(admin, base, "BPN · Badan Pertanahan Nasional", "T", "Pengecekan Sertifikat")
    add_counter(admin, base, "DPMPTSP · Dinas Penanaman Modal dan PTSP", 7, "P · Persetujuan Bangunan Gedung")
    _shot(admin, f"03-counter-a-1366-{db}")
    counter_b = add_counter(admin, base, "BPN · Badan Pertanahan Nasional", 8, "T · Pengecekan Sertifikat")

    # Accounts: a clerk and a manager of A, a clerk of B; each temporary password is shown once.
    clerk_password = add_staff(admin, base, "rina", "clerk", "DPMPTSP")
    _shot(admin, f"04-clerk-added-1366-{db}")
    add_staff(admin, base, "mgr-a", "manager", "DPMPTSP")
    add_staff(admin, base, "budi", "clerk", "BPN")
    admin.goto(f"{base}/manager/admin/staff")
    assert not admin.is_visible("#temporary-password")
    admin.click("#staff-list a:text-is('budi')")
    clerk_b = _id(admin.url)

    # The clerk's first login forces a new password, then the counter screen opens counter 7.
    clerk = page_factory(1366, 768)
    counter_login(clerk, base, "rina", clerk_password)
    assert clerk.url.endswith("/manager/password/new")
    choose_password(clerk, "Loket-tujuh-2026")
    assert clerk.url.endswith("/counter/")
    clerk.wait_for_selector("#connection.conn-on")
    clerk.wait_for_function("window.ptspCounter.live.seq !== null")
    offered = clerk.eval_on_selector_all("#counter-select option", "os => os.map(o => o.textContent.trim())")
    assert any(text.startswith("7") for text in offered)  # (a clerk is not limited to their agency's counters)
    seven = clerk.locator("#counter-select option", has_text="7").first.get_attribute("value")
    clerk.select_option("#counter-select", seven)
    clerk.click("#open")
    clerk.wait_for_selector("#counter-state.badge-open")

    # A kiosk paired from the devices page shows the agency's tile, the service's standard, and issues.
    admin.goto(f"{base}/manager/admin/devices")
    admin.fill("#add-device input[name=name]", "Kios MPP")
    admin.select_option("#add-device select[name=kind]", "kiosk")
    admin.select_option("#add-device select[name=office]", label="Kelurahan Uji")
    admin.click("#add-device button[type=submit]")
    token = admin.inner_text("#pairing-link").strip().rsplit("#token=", 1)[1]
    kiosk = page_factory(1080, 1920)
    pair_page(kiosk, base, "/kiosk/", token)
    kiosk.wait_for_selector("#connection.conn-on")
    tile = "button.agency-tile:has-text('Dinas Penanaman Modal dan PTSP')"
    kiosk.wait_for_selector(tile)
    assert kiosk.is_visible("button.agency-tile:has-text('Badan Pertanahan Nasional')")
    _shot(kiosk, f"05-kiosk-agencies-1080-{db}")
    kiosk.click(tile)
    kiosk.click(f"#services .std-open[data-standard-for='{service_a}']")
    kiosk.wait_for_selector("#std-panel:not([hidden])")
    assert kiosk.locator("#std-requirements li").all_inner_texts() == REQUIREMENTS
    assert kiosk.inner_text("#std-fee") == "Rp 250.000" and kiosk.inner_text("#std-basis") == BASIS
    assert kiosk.inner_text("#std-channel") == CHANNEL  # the agency's own complaint channel
    _shot(kiosk, f"06-kiosk-standard-1080-{db}")
    kiosk.click("#std-take")
    kiosk.wait_for_selector("#ticket:not([hidden])")
    code = kiosk.inner_text("#t-code")
    assert code.startswith("P-")

    clerk.wait_for_function("document.querySelectorAll('#lines button.ticket').length === 1")
    clerk.click("#call-next")
    clerk.wait_for_function(f"document.getElementById('current-code').textContent === {code!r}")
    _shot(clerk, f"07-clerk-called-1366-{db}")

    # Deactivated, the clerk's open counter page loses its session and goes to the login.
    admin.goto(f"{base}/manager/admin/staff")
    admin.click("#staff-list a:text-is('rina')")
    admin.click("#toggle-active button")
    assert admin.inner_text("#member-status") == "nonaktif"
    clerk.wait_for_function("location.pathname === '/counter/login'", timeout=15_000)
    counter_login(clerk, base, "rina", "Loket-tujuh-2026")
    assert clerk.url.endswith("/counter/login")  # and stays out

    # Revoked, the kiosk's next request is refused.
    assert kiosk.evaluate("fetch('/kiosk/state').then(r => r.status)") == 200
    admin.goto(f"{base}/manager/admin/devices")
    admin.click("tr[data-name='Kios MPP'] form.revoke button")
    assert kiosk.evaluate("fetch('/kiosk/state').then(r => r.status)") == 401

    # A reset password: the agency manager must choose a new one at the next login.
    admin.goto(f"{base}/manager/admin/staff")
    admin.click("#staff-list a:text-is('mgr-a')")
    admin.click("#reset-password button")
    reset = admin.inner_text("#temporary-password").strip()
    _shot(admin, f"08-password-reset-1366-{db}")
    scoped = page_factory(1366, 768)
    manager_login(scoped, base, "mgr-a", reset)
    assert scoped.url.endswith("/manager/password/new")
    choose_password(scoped, "Manajer-dpm-2026")

    # The agency manager may change their agency's names and complaint channel, not its code.
    scoped.goto(f"{base}/manager/admin/offices/{office_id}")
    scoped.click("#agency-list tr[data-code='DPMPTSP'] a")
    assert scoped.input_value("#edit-agency input[name=complaint_channel]") == CHANNEL
    assert not scoped.is_visible("#edit-agency input[name=code]")
    scoped.fill("#edit-agency input[name=complaint_channel]", "Loket Pengaduan DPMPTSP lantai 1")
    scoped.click("#edit-agency button[type=submit]")
    scoped.wait_for_selector("#saved")
    _shot(scoped, f"09-agency-page-own-manager-1366-{db}")
    scoped.set_viewport_size({"width": 1920, "height": 1080})
    _shot(scoped, f"09-agency-page-own-manager-1920-{db}")
    scoped.set_viewport_size({"width": 1366, "height": 768})

    # The agency manager edits their own service but not agency B's service, counter or clerk, nor the office.
    assert scoped.goto(f"{base}/manager/admin/services/{service_a}").status == 200
    for path in (f"services/{service_b}", f"counters/{counter_b}", f"staff/{clerk_b}"):
        response = scoped.goto(f"{base}/manager/admin/{path}")
        assert response.status == 403 and "di luar wewenang" in scoped.inner_text("main"), path
    _shot(scoped, f"10-agency-manager-refused-1366-{db}")
    scoped.goto(f"{base}/manager/admin/offices/{office_id}")
    assert scoped.is_visible("#office-read-only")
    with scoped.expect_navigation() as sent:
        scoped.evaluate("""() => {
            const form = document.getElementById('edit-office');
            form.querySelector('fieldset').disabled = false;
            form.querySelector('input[name=name]').value = 'MPP Diambil Alih';
            form.submit();
        }""")
    assert sent.value.status == 403
    assert scoped.is_visible("#form-error")
    _shot(scoped, f"11-office-settings-refused-1366-{db}")
    admin.goto(f"{base}/manager/admin/offices/{office_id}")
    assert admin.input_value("#edit-office input[name=name]") == "Kelurahan Uji"

    # A clerk gets the refusal page for the administration pages.
    other = page_factory(1366, 768)
    counter_login(other, base, "clerk1", "password-1")
    for path in ("admin/offices", f"admin/services/{service_a}", "admin/counters", "admin/staff"):
        response = other.goto(f"{base}/manager/{path}")
        assert response.status == 403 and "tidak berwenang" in other.inner_text("h1"), path
    _shot(other, f"12-clerk-refused-1366-{db}")
