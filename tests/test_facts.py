"""The one catalogue of facts: the server publishes only from it and the pages follow what it numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ptsp import facts

ROOT = Path(__file__).resolve().parent.parent
PAGES_FOLLOWING_THE_OFFICE = ["kiosk/templates/kiosk/kiosk.html", "display/templates/display/display.html",
                              "counter/templates/counter/screen.html",
                              "ptsp/manager/templates/manager/dashboard.html"]


def test_catalogue_names_are_unique_past_tense_and_numbered_facts_reach_the_office_room():
    names = [fact.name for fact in facts.CATALOGUE]
    assert len(names) == len(set(names))
    for fact in facts.NUMBERED:
        assert re.fullmatch(r"[a-z_]+_(issued|called|requeued|started|completed|no_show|transferred|cancelled"
                            r"|expired|changed|parked|returned|reinserted)", fact.name), fact.name
        assert facts.Audience.OFFICE in fact.audience
    assert facts.named("printer_changed").numbered
    with pytest.raises(LookupError):
        facts.named("ticket_exploded")


def test_the_served_catalogue_lists_every_numbered_fact(client):
    response = client.get("/live/facts.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    served = json.loads(response.get_data(as_text=True).removeprefix("window.PTSPFacts = ").rstrip(";\n"))
    assert served["numbered"] == [fact.name for fact in facts.NUMBERED]
    assert "printer_changed" in served["numbered"]


def test_live_js_handles_the_catalogues_numbered_facts_and_lists_none_by_hand():
    live = (ROOT / "ptsp/static/live.js").read_text()
    assert re.search(r"const FACTS = window\.PTSPFacts\.numbered;", live)
    assert re.search(r"FACTS\.forEach\(\(name\) => socket\.on\(name,", live)
    for fact in facts.NUMBERED:  # no numbered fact written by hand in the shared follower
        assert f'"{fact.name}"' not in live
    for page in PAGES_FOLLOWING_THE_OFFICE:
        html = (ROOT / page).read_text()
        assert "url_for('live.catalogue_script')" in html, page


def test_server_code_publishes_no_fact_name_outside_the_catalogue():
    emits = []
    for folder in ("ptsp", "kiosk", "counter", "display"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            emits += [(path, m) for m in re.findall(r"socketio\.emit\(([^,]+),", text)]
            for name in facts.BY_NAME:
                if path.name != "facts.py":
                    assert not re.search(rf"publish\([^)]*[\"']{name}[\"']", text), (path, name)
    assert [(p.name, m) for p, m in emits] == [("realtime.py", "facts.named(fact.name).name")]
