"""The published service standard: set-up file fields, the kiosk's state, the status page and the printed ticket."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ptsp.domain.errors import InvalidInput
from ptsp.models import Service
from ptsp.services.setup import load_setup
from tests.conftest import SETUP, bearer
from tests.kiosk.conftest import issue

BASIS = "Perda Kota Uji No. 3 Tahun 2024 tentang Retribusi Perizinan Tertentu"
PAID = {"requirements": ["KTP-el pemohon", "Surat pernyataan bermeterai"], "fee_rupiah": 150000,
        "fee_basis": BASIS, "completion_days": 3}
FREE = {"requirements": ["Kartu Keluarga", "Surat pengantar RT/RW"], "fee_rupiah": 0, "completion_days": 0}


def with_standard(app, services: dict[str, dict]) -> None:
    """Load the test set-up again with a service standard on some of the test office's services."""
    data = json.loads(json.dumps(SETUP))
    for spec in data["offices"][1]["services"]:
        spec.update(services.get(spec["prefix"], {}))
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, data)
        session.commit()


def test_the_setup_file_sets_the_standard_and_a_fee_needs_its_legal_basis(app, world):
    with_standard(app, {"B": PAID, "A": FREE})
    with app.extensions["ptsp.read_sessions"]() as session:
        b = session.get(Service, world.services["B"])
        assert (b.requirements[0], b.fee_rupiah, b.fee_basis, b.completion_days) == ("KTP-el pemohon", 150000, BASIS, 3)
        c = session.get(Service, world.services["C"])
        assert (c.requirements, c.fee_rupiah, c.fee_basis, c.completion_days) == ([], 0, None, None)

    for bad in ({"fee_rupiah": 5000}, {"fee_rupiah": -1, "fee_basis": BASIS}, {"completion_days": -2},
                {"requirements": [""]}, {"requirements": "KTP"}):
        data = json.loads(json.dumps(SETUP))
        data["offices"][1]["services"][2].update(bad)
        with app.extensions["ptsp.sessions"]() as session, pytest.raises(InvalidInput):
            load_setup(session, data)
    with app.extensions["ptsp.read_sessions"]() as session:  # nothing of the refused files was stored
        assert session.scalar(select(Service.fee_rupiah).where(Service.id == world.services["C"])) == 0


def test_the_kiosk_state_carries_each_services_standard(app, client, world):
    with_standard(app, {"B": PAID, "A": FREE})
    state = client.get("/kiosk/state", headers=bearer(world.kiosk)).get_json()
    services = {s["prefix"]: s["standard"] for s in state["services"]}
    assert services["B"] == {"requirements": ["KTP-el pemohon", "Surat pernyataan bermeterai"],
                             "fee_rupiah": 150000, "fee_basis": BASIS, "completion_days": 3,
                             "complaint_channel": None}
    assert services["A"] == {"requirements": ["Kartu Keluarga", "Surat pengantar RT/RW"], "fee_rupiah": 0,
                             "fee_basis": None, "completion_days": 0, "complaint_channel": None}


def test_the_status_page_shows_requirements_fee_and_completion_time(app, client, world):
    with_standard(app, {"B": PAID, "A": FREE})
    paid = client.get(issue(client, world, "B").get_json()["status_url"].split("localhost", 1)[-1])
    text = paid.get_data(as_text=True)
    assert paid.status_code == 200
    for part in ("Persyaratan", "KTP-el pemohon", "Surat pernyataan bermeterai", "Biaya resmi", "Rp 150.000",
                 BASIS, "Waktu penyelesaian", "3 hari kerja", "Tolak pungutan liar"):
        assert part in text, part
    assert "GRATIS" not in text.upper()

    free_url = issue(client, world, "A").get_json()["status_url"].split("localhost", 1)[-1]
    free = client.get(free_url).get_data(as_text=True)
    for part in ("Kartu Keluarga", "Gratis", "Selesai hari ini", "Layanan GRATIS. Tolak pungutan liar."):
        assert part in free, part
    assert BASIS not in free
    english = client.get(f"{free_url}?lang=en").get_data(as_text=True)
    assert "Requirements" in english and "Free" in english and "Finished the same day" in english

    unpublished = client.get(issue(client, world, "C").get_json()["status_url"].split("localhost", 1)[-1])
    body = unpublished.get_data(as_text=True)
    assert "belum mengumumkan persyaratan" in body and "Waktu penyelesaian" not in body


def test_the_printed_ticket_of_a_paid_and_a_free_service(app, client, world):
    from ptsp.models import Ticket
    from ptsp.services.printing import ticket_print_facts

    with_standard(app, {"B": PAID, "A": FREE})
    paid, free = issue(client, world, "B").get_json(), issue(client, world, "A").get_json()
    from printers.layout import TicketPrintData, ticket_layout
    from printers.model import TextLine

    def printed(ticket_id: int) -> list[str]:
        with app.app_context(), app.extensions["ptsp.read_sessions"]() as session:
            facts = ticket_print_facts(session, session.get(Ticket, ticket_id), "https://ptsp.example/t/x", "id",
                                       app.extensions["ptsp.clock"]())
        return [b.text for b in ticket_layout(TicketPrintData(**facts), 48).blocks if isinstance(b, TextLine)]

    paid_lines, free_lines = printed(paid["id"]), printed(free["id"])
    assert "Biaya resmi: Rp 150.000" in paid_lines and "Waktu penyelesaian: 3 hari kerja" in paid_lines
    assert not any("GRATIS" in line for line in paid_lines)
    assert "Layanan ini GRATIS." in free_lines and "Waktu penyelesaian: selesai hari ini" in free_lines
    for lines in (paid_lines, free_lines):
        assert "Tolak pungutan liar." in lines and "SP4N-LAPOR! lapor.go.id" in lines
