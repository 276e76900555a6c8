"""The parked-ticket and late re-insert settings (docs/queue.md): on the office's administration page with the
set-up file's bounds, audited, kept by a form that leaves them out, and in the set-up file both ways."""

from __future__ import annotations

import copy

from ptsp.services.setup_export import export_setup
from tests.admin.test_office_admin import audit_rows, office, settings
from tests.conftest import SETUP, login
from tests.test_agencies import load


def test_a_manager_sets_the_park_minutes_and_the_re_insert_places_within_their_bounds(app, client, world):
    login(client, "manager")
    kel = office(app, "kel-test")
    page = client.get(f"/manager/admin/offices/{kel.id}").text
    assert 'name="park_minutes"' in page and 'name="late_reinsert_places"' in page
    saved = client.post(f"/manager/admin/offices/{kel.id}", data=settings(
        app, "kel-test", park_minutes="15", late_reinsert_places="4"))
    assert saved.status_code == 302, saved.text
    kel = office(app, "kel-test")
    assert (kel.park_minutes, kel.late_reinsert_places) == (15, 4)
    entry = audit_rows(app, "office")[-1]
    assert (entry.before["park_minutes"], entry.after["park_minutes"]) == (30, 15)
    assert (entry.before["late_reinsert_places"], entry.after["late_reinsert_places"]) == (0, 4)
    audited = len(audit_rows(app, "office"))
    for field, value in (("park_minutes", "4"), ("park_minutes", "241"), ("late_reinsert_places", "51"),
                         ("late_reinsert_places", "-1"), ("park_minutes", "sepuluh")):
        refused = client.post(f"/manager/admin/offices/{kel.id}", data=settings(app, "kel-test", **{field: value}))
        assert refused.status_code == 422 and 'id="form-error"' in refused.text, (field, value)
    kel = office(app, "kel-test")
    assert (kel.park_minutes, kel.late_reinsert_places, len(audit_rows(app, "office"))) == (15, 4, audited)
    # A form without the two fields (an older page, a script) keeps them.
    kept = client.post(f"/manager/admin/offices/{kel.id}", data=settings(app, "kel-test", running_text="Halo"))
    assert kept.status_code == 302
    assert (office(app, "kel-test").park_minutes, office(app, "kel-test").late_reinsert_places) == (15, 4)


def test_the_set_up_file_loads_and_exports_the_two_settings(app, world):
    data = copy.deepcopy(SETUP)
    kel = next(o for o in data["offices"] if o["slug"] == "kel-test")
    kel.update(park_minutes=20, late_reinsert_places=3)
    load(app, data)
    row = office(app, "kel-test")
    assert (row.park_minutes, row.late_reinsert_places) == (20, 3)
    with app.extensions["ptsp.read_sessions"]() as session:
        exported = export_setup(session, ["kel-test"]).document["offices"][0]
    assert (exported["park_minutes"], exported["late_reinsert_places"]) == (20, 3)
