"""Headless Chromium: every kiosk service can be reached and read, however many the office offers.

Portrait 1080×1920 and landscape 1920×1080 with 3, 8 and 24 services (long Indonesian names among
them): each card lies in the viewport or on a page the page control reaches by touch, its text stays
inside its box, and a tap on the last service issues that service's ticket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALL_DAY, SETUP, pair_page

LONG_NAMES = [
    "Surat Keterangan Tidak Mampu untuk Keringanan Biaya Pendidikan dan Kesehatan",
    "Legalisasi Dokumen Kependudukan dan Pencatatan Sipil",
    "Perizinan Berusaha Berbasis Risiko untuk Usaha Mikro dan Kecil",
    "Rekomendasi Persetujuan Bangunan Gedung",
    "Surat Pengantar Nikah",
]
EXTRA_PREFIXES = "DEFGHIJKLMNOPQRSTUVWXYZ"


def with_services(server: Any, tmp_path: Path, count: int) -> None:
    """Give the test office `count` active services (the three of the test setup, then more)."""
    data = json.loads(json.dumps(SETUP))
    office = data["offices"][1]
    office["hours"], office["last_ticket_minutes"] = ALL_DAY, 0
    office["services"] += [
        {"prefix": prefix, "name_id": LONG_NAMES[i % len(LONG_NAMES)], "name_en": f"Service {prefix}",
         "standard_minutes": 10}
        for i, prefix in enumerate(EXTRA_PREFIXES[: count - 3])
    ]
    path = tmp_path / f"services-{count}.json"
    path.write_text(json.dumps(data))
    server.cli("setup", "load", str(path))


def tap(page: Any, selector: str) -> None:
    """A finger's tap (touch start and end through the DevTools protocol), not a mouse click.

    The kiosk redraws its cards when a live fact arrives (waiting counts), which can detach the element
    between finding it and measuring it: measure the card that is on screen now, waiting for one if needed."""
    card = page.locator(selector)
    box = None
    for _ in range(50):
        card.wait_for(state="visible")
        box = card.bounding_box()
        if box is not None:
            break
    assert box is not None, f"{selector} never stayed on screen long enough to be measured"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


CARDS_ON_PAGE = """() => {
  const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1 &&
    inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  const view = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  return Array.from(document.querySelectorAll('#services .svc')).filter((c) => !c.hidden).map((card) => {
    const box = card.getBoundingClientRect();
    const parts = Array.from(card.querySelectorAll('.prefix, .name, .info, .waiting, .wait'));
    return { id: Number(card.dataset.service), inView: inside(box, view), height: box.height,
      partsInside: parts.every((p) => inside(p.getBoundingClientRect(), box)),
      overflow: card.scrollHeight > card.clientHeight + 1 || card.scrollWidth > card.clientWidth + 1 };
  });
}"""


@pytest.mark.parametrize("count", [3, 8, 24])
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_every_service_card_is_reachable_and_readable_and_the_last_issues_a_ticket(
    server, page_factory, tmp_path, shot, count, size
):
    with_services(server, tmp_path, count)
    page = page_factory(*size)
    pair_page(page, server.base, "/kiosk/?return=60", server.kiosk)
    page.wait_for_selector("#services button.svc")
    services = page.evaluate("ptspKiosk.state.data.services.map((s) => s.id)")
    assert len(services) == count

    seen: list[int] = []
    for turn in range(count):
        cards = page.evaluate(CARDS_ON_PAGE)
        assert cards, f"page {turn + 1} shows no card"
        for card in cards:
            assert card["inView"], f"service {card['id']} lies outside the {size} viewport"
            assert card["partsInside"] and not card["overflow"], f"service {card['id']}'s text spills out"
            assert card["height"] >= 150, "a card too small for a finger"
        seen += [card["id"] for card in cards]
        if turn == 0:
            shot(page, f"kiosk-{size[0]}x{size[1]}-{count}-services")
        if page.locator("#pager").is_hidden() or page.locator("#page-next").is_disabled():
            break
        assert page.locator("#page-next").bounding_box()["height"] >= 80
        tap(page, "#page-next")
        page.wait_for_function(f"ptspKiosk.state.page === {turn + 1}")
    assert sorted(seen) == sorted(services) and len(seen) == count, "a service cannot be reached"
    assert page.locator("#pager").is_visible() == (count > 8), "3 and 8 services fit one screen, 24 take pages"

    last = page.evaluate("ptspKiosk.state.data.services.at(-1)")
    tap(page, f"#services .svc[data-service='{last['id']}']")
    page.wait_for_selector("#ticket:not([hidden])")
    assert page.inner_text("#t-code").startswith(f"{last['prefix']}-")
    if count == 24:
        shot(page, f"kiosk-{size[0]}x{size[1]}-ticket")
