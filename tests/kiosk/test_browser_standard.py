"""Headless Chromium: the kiosk's "Persyaratan" button opens a readable panel of the service standard.

Portrait 1080×1920 and landscape 1920×1080: the button on a card opens the panel (no ticket is issued by the
tap), the panel shows the requirements, the fee (the amount and its legal basis for a paid service, "Gratis" for
a free one) and the completion time, lies inside the screen with text no smaller than a kiosk needs, closes,
and its "Ambil nomor antrean" issues that service's ticket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALL_DAY, SETUP, pair_page
from tests.kiosk.test_browser_layout import tap

CHANNEL = "WhatsApp Pengaduan 0812-0000-1945"
BASIS = "Perda Kota Uji No. 3 Tahun 2024 tentang Pajak Daerah dan Retribusi Daerah, Lampiran II angka 4"
REQUIREMENTS = ["KTP-el pemohon (asli dan fotokopi)", "Kartu Keluarga", "Surat pengantar RT/RW yang diketahui lurah",
                "Surat pernyataan bermeterai Rp 10.000", "Denah lokasi usaha dan foto tempat usaha",
                "Nomor Pokok Wajib Pajak (NPWP) pemilik usaha"]


def load_standard(server: Any, tmp_path: Path) -> None:
    data = json.loads(json.dumps(SETUP))
    office = data["offices"][1]
    office["hours"], office["last_ticket_minutes"] = ALL_DAY, 0
    office["complaint_channel"] = CHANNEL  # no agencies here: the office's channel on every service's panel
    standards = {
        "A": {"requirements": ["Kartu Keluarga", "Surat pengantar RT/RW"], "fee_rupiah": 0, "completion_days": 0},
        "B": {"requirements": REQUIREMENTS, "fee_rupiah": 150000, "fee_basis": BASIS, "completion_days": 3},
    }
    for spec in office["services"]:
        spec.update(standards.get(spec["prefix"], {}))
    path = tmp_path / "standard.json"
    path.write_text(json.dumps(data))
    server.cli("setup", "load", str(path))


PANEL_GEOMETRY = """() => {
  const card = document.querySelector('#std-panel .std-card').getBoundingClientRect();
  const small = Array.from(document.querySelectorAll('#std-panel li, #std-panel dd, #std-panel dt, #std-panel button'))
    .map((n) => parseFloat(getComputedStyle(n).fontSize)).filter((px) => px < 26);
  return { inView: card.top >= 0 && card.left >= 0 && card.bottom <= innerHeight && card.right <= innerWidth,
           overflowX: document.querySelector('#std-panel .std-card').scrollWidth > card.width + 1, small };
}"""


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_the_persyaratan_panel_shows_the_standard_and_issues_from_it(server, page_factory, tmp_path, shot, size):
    load_standard(server, tmp_path)
    page = page_factory(*size)
    pair_page(page, server.base, "/kiosk/?return=60", server.kiosk)
    page.wait_for_selector("#services .svc .std-open")
    services = {s["prefix"]: s["id"] for s in page.evaluate("ptspKiosk.state.data.services")}
    assert page.locator("#services .std-open").count() == len(services)
    # one service has a fee, so the header no longer says every service is free
    assert "GRATIS" not in page.inner_text("header .free").upper()
    assert "tolak pungutan liar" in page.inner_text("header .free").lower()
    shot(page, f"kiosk-standard-{size[0]}x{size[1]}-cards")

    tap(page, f"#services .std-open[data-standard-for='{services['B']}']")
    page.wait_for_selector("#std-panel:not([hidden])")
    assert page.locator("#start").is_visible() and page.locator("#ticket").is_hidden(), "the tap issued a ticket"
    assert page.inner_text("#std-title") == "Perizinan"
    assert page.locator("#std-requirements li").all_inner_texts() == REQUIREMENTS
    assert page.inner_text("#std-fee") == "Rp 150.000"
    assert page.inner_text("#std-basis") == BASIS
    assert page.inner_text("#std-days") == "3 hari kerja"
    assert page.inner_text("#std-channel") == CHANNEL
    geometry = page.evaluate(PANEL_GEOMETRY)
    assert geometry["inView"] and not geometry["overflowX"], geometry
    assert geometry["small"] == [], "text on the panel smaller than a kiosk's 26 px"
    shot(page, f"kiosk-standard-{size[0]}x{size[1]}-paid")
    tap(page, "#std-close")
    page.wait_for_selector("#std-panel", state="hidden")

    tap(page, f"#services .std-open[data-standard-for='{services['A']}']")
    page.wait_for_selector("#std-panel:not([hidden])")
    assert page.inner_text("#std-fee") == "Gratis"
    assert page.locator("#std-basis-row").is_hidden()
    assert page.inner_text("#std-days") == "Selesai hari ini"
    shot(page, f"kiosk-standard-{size[0]}x{size[1]}-free")
    page.keyboard.press("Escape")
    page.wait_for_selector("#std-panel", state="hidden")

    tap(page, f"#services .std-open[data-standard-for='{services['C']}']")  # nothing published
    page.wait_for_function("document.getElementById('std-title').textContent === 'Surat'")
    assert page.locator("#std-none").is_visible() and page.locator("#std-days-row").is_hidden()
    assert page.inner_text("#std-fee") == "Gratis"
    tap(page, "#std-close")
    page.wait_for_selector("#std-panel", state="hidden")

    tap(page, f"#services .std-open[data-standard-for='{services['B']}']")
    page.wait_for_selector("#std-panel:not([hidden])")
    tap(page, "#std-take")
    page.wait_for_selector("#ticket:not([hidden])")
    assert page.locator("#std-panel").is_hidden()
    assert page.inner_text("#t-code").startswith("B-")

    # the resident's phone, from the ticket's QR code: the same standard on the status page
    phone = page_factory(390, 844)
    phone.goto(page.evaluate("ptspKiosk.state.ticket.status_url"))
    assert phone.locator("#standard li").all_inner_texts() == REQUIREMENTS
    assert phone.inner_text("#standard .fee") == "Rp 150.000" and phone.inner_text("#standard .basis") == BASIS
    shot(phone, f"status-standard-390x844-from-{size[0]}x{size[1]}", full_page=True)


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_on_crowded_cards_the_round_button_still_opens_the_panel(server, page_factory, tmp_path, shot, size):
    from tests.kiosk.test_browser_layout import with_services

    with_services(server, tmp_path, 24)
    page = page_factory(*size)
    pair_page(page, server.base, "/kiosk/?return=60", server.kiosk)
    page.wait_for_selector("#services .svc .std-open")
    assert page.evaluate("document.getElementById('services').classList.contains('compact')")
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('#services .svc')).filter((c) => !c.hidden)
      .map((c) => { const b = c.getBoundingClientRect(), o = c.querySelector('.std-open').getBoundingClientRect(),
        p = c.querySelector('.prefix').getBoundingClientRect();
        return { inside: o.top >= b.top && o.bottom <= b.bottom && o.left >= b.left && o.right <= b.right,
                 clear: o.top >= p.bottom || o.left >= p.right, size: Math.min(o.width, o.height) }; })""")
    assert boxes and all(b["inside"] and b["clear"] and b["size"] >= 56 for b in boxes), boxes
    shot(page, f"kiosk-standard-{size[0]}x{size[1]}-24-services")
    last = page.evaluate("Array.from(document.querySelectorAll('#services .svc')).filter((c) => !c.hidden).at(-1)"
                         ".dataset.service")
    tap(page, f"#services .std-open[data-standard-for='{last}']")
    page.wait_for_selector("#std-panel:not([hidden])")
    assert page.locator("#ticket").is_hidden() and page.inner_text("#std-fee") == "Gratis"
    assert page.locator("#std-none").is_visible()


def test_a_kept_card_opens_the_standard_as_the_kiosk_last_heard_it(server, page_factory, tmp_path):
    # The cards are updated in place on every refresh (a tap must survive one), so the "Persyaratan" button
    # made before a change must show the fee published after it, not the one it was made with.
    load_standard(server, tmp_path)
    page = page_factory(1080, 1920)
    pair_page(page, server.base, "/kiosk/?return=60", server.kiosk)
    page.wait_for_selector("#services .svc .std-open")
    b = next(s["id"] for s in page.evaluate("ptspKiosk.state.data.services") if s["prefix"] == "B")
    page.evaluate(f"window.kept = document.querySelector(\"#services .std-open[data-standard-for='{b}']\")")

    data = json.loads(json.dumps(SETUP))
    office = data["offices"][1]
    office["hours"], office["last_ticket_minutes"] = ALL_DAY, 0
    for spec in office["services"]:
        if spec["prefix"] == "B":
            spec.update({"requirements": ["Kartu Keluarga"], "fee_rupiah": 175000, "fee_basis": BASIS,
                         "completion_days": 2})
    path = tmp_path / "raised.json"
    path.write_text(json.dumps(data))
    server.cli("setup", "load", str(path))
    page.evaluate("ptspKiosk.refresh()")
    assert page.evaluate(f"window.kept === document.querySelector(\"#services .std-open[data-standard-for='{b}']\")")

    tap(page, f"#services .std-open[data-standard-for='{b}']")
    page.wait_for_selector("#std-panel:not([hidden])")
    assert page.inner_text("#std-fee") == "Rp 175.000"
    assert page.locator("#std-requirements li").all_inner_texts() == ["Kartu Keluarga"]
    assert page.inner_text("#std-title") == "Perizinan"
