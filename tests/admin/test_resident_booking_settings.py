"""The settings that were set-up-file-only, now on the administration pages (issue 15): phone tickets, the alert
position, the office's gateway (its secret write-only), the booking settings on the office's page and each
service's booking share. Bounds are the set-up file's; every change is audited; a refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ptsp.models import AppointmentSettings, AuditEntry, Service
from tests.admin.test_catalogue_admin import new_service
from tests.admin.test_office_admin import add_account, audit_rows, office, settings
from tests.conftest import login
from tests.test_agencies import load, mpp

SECRET = "gateway-secret-0123456789"
BOOKING = {"booking_slot_minutes": "20", "booking_days_ahead": "7", "booking_early_minutes": "10",
           "booking_late_minutes": "5", "booking_max_per_day": "1", "booking_no_show_limit": "3",
           "booking_block_days": "60", "booking_max_run": "4"}


def page_form(app, slug: str = "kel-test", **changes: str) -> dict[str, str]:
    """The whole edit form as the page posts it: office settings, residents' settings, booking settings."""
    row = office(app, slug)
    form = {**settings(app, slug), "residents_form": "1", "alert_position": str(row.alert_position),
            "alert_webhook_url": row.alert_webhook_url or "", "alert_webhook_secret": ""}
    if row.phone_tickets:
        form["phone_tickets"] = "1"
    with app.extensions["ptsp.read_sessions"]() as session:
        booking = session.get(AppointmentSettings, row.id)
    defaults = {"booking_slot_minutes": 30, "booking_days_ahead": 14, "booking_early_minutes": 30,
                "booking_late_minutes": 15, "booking_max_per_day": 2, "booking_no_show_limit": 2,
                "booking_block_days": 30, "booking_max_run": 2}
    for key, default in defaults.items():
        form[key] = str(getattr(booking, key.removeprefix("booking_")) if booking else default)
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def booking_row(app, office_id: int) -> dict[str, int] | None:
    with app.extensions["ptsp.read_sessions"]() as session:
        row = session.get(AppointmentSettings, office_id)
        return None if row is None else {c.name: getattr(row, c.name) for c in AppointmentSettings.__table__.columns}


def state(app, slug: str = "kel-test") -> tuple:
    row = office(app, slug)
    with app.extensions["ptsp.read_sessions"]() as session:
        count = len(session.scalars(select(AuditEntry.id)).all())
    return (row.phone_tickets, row.alert_position, row.alert_webhook_url, row.alert_webhook_secret,
            booking_row(app, row.id), count)


def test_a_manager_sets_phone_tickets_the_gateway_and_the_booking_settings_and_each_is_audited(app, client, world):
    login(client, "manager")
    kel = office(app, "kel-test")
    page = client.get(f"/manager/admin/offices/{kel.id}").text
    assert 'name="booking_slot_minutes"' in page and 'id="secret-state">belum diatur' in page
    response = client.post(f"/manager/admin/offices/{kel.id}", data=page_form(
        app, phone_tickets="1", alert_position="5", alert_webhook_url="https://wa.example.id/kirim",
        alert_webhook_secret=SECRET, **BOOKING))
    assert response.status_code == 302, response.text
    kel = office(app, "kel-test")
    assert (kel.phone_tickets, kel.alert_position, kel.alert_webhook_url, kel.alert_webhook_secret) == (
        True, 5, "https://wa.example.id/kirim", SECRET)
    assert booking_row(app, kel.id) == {"office_id": kel.id, "slot_minutes": 20, "days_ahead": 7,
                                        "early_minutes": 10, "late_minutes": 5, "max_per_day": 1,
                                        "no_show_limit": 3, "block_days": 60, "max_run": 4}
    [entry] = audit_rows(app, "office")
    assert (entry.before["phone_tickets"], entry.after["phone_tickets"]) == (False, True)
    assert (entry.before["alert_webhook_secret"], entry.after["alert_webhook_secret"]) == ("not set", "set")
    assert SECRET not in str(entry.before) + str(entry.after)
    [booked] = audit_rows(app, "booking_settings")
    assert (booked.action, booked.entity_id, booked.actor) == ("updated", kel.id, "staff:manager")
    assert (booked.before["booking_slot_minutes"], booked.after["booking_slot_minutes"]) == (30, 20)
    page = client.get(f"/manager/admin/offices/{kel.id}").text
    assert SECRET not in page and 'id="secret-state">sudah diatur' in page
    assert '<option value="20" selected>' in page and 'name="phone_tickets" value="1" checked' in page

    # Saved again as shown (the secret field blank): nothing changes, nothing is audited.
    assert client.post(f"/manager/admin/offices/{kel.id}", data=page_form(app)).status_code == 302
    assert office(app, "kel-test").alert_webhook_secret == SECRET
    assert (len(audit_rows(app, "office")), len(audit_rows(app, "booking_settings"))) == (1, 1)
    # Unticked phone tickets, a blank gateway address and the secret removed: all off.
    form = page_form(app, alert_webhook_url="", alert_webhook_secret_clear="1")
    form.pop("phone_tickets")
    assert client.post(f"/manager/admin/offices/{kel.id}", data=form).status_code == 302
    kel = office(app, "kel-test")
    assert (kel.phone_tickets, kel.alert_webhook_url, kel.alert_webhook_secret) == (False, None, None)
    assert audit_rows(app, "office")[-1].after["alert_webhook_secret"] == "not set"


def test_a_form_without_the_new_fields_leaves_them_as_they_are(app, client, world):
    login(client, "manager")
    kel = office(app, "kel-test")
    client.post(f"/manager/admin/offices/{kel.id}", data=page_form(app, phone_tickets="1", booking_max_run="3"))
    before = state(app)
    assert client.post(f"/manager/admin/offices/{kel.id}", data=settings(app, "kel-test", max_calls="4")).status_code \
        == 302
    after = state(app)
    assert after[:5] == before[:5] and office(app, "kel-test").max_calls == 4


@pytest.mark.parametrize("change", [
    {"alert_position": "-1"}, {"alert_position": "51"}, {"alert_position": ""}, {"alert_position": "tiga"},
    {"alert_webhook_url": "ftp://wa.example.id"}, {"alert_webhook_url": "https://" + "x" * 500},
    {"alert_webhook_secret": "pendek"}, {"alert_webhook_secret": "s" * 201},
    {"booking_slot_minutes": "25"}, {"booking_slot_minutes": "tiga puluh"}, {"booking_days_ahead": "0"},
    {"booking_days_ahead": "61"}, {"booking_early_minutes": "181"}, {"booking_late_minutes": "-5"},
    {"booking_max_per_day": "0"}, {"booking_no_show_limit": "21"}, {"booking_block_days": "366"},
    {"booking_max_run": ""}, {"booking_max_run": "99999999999999999999"},
], ids=lambda change: "-".join(f"{k}={v[:8]}" for k, v in change.items()))
def test_out_of_bounds_settings_are_refused_with_the_field_named_and_nothing_changes(app, client, world, change):
    login(client, "manager")
    kel = office(app, "kel-test")
    before = state(app)
    response = client.post(f"/manager/admin/offices/{kel.id}", data=page_form(app, phone_tickets="1", **change))
    assert response.status_code == 422, response.text
    error = response.text.split('id="form-error">', 1)[1].split("</p>", 1)[0]
    assert next(iter(change)) in error
    assert "pendek" not in response.text.replace('placeholder', '')  # a refused secret is not shown back
    assert state(app) == before


def test_an_agency_manager_may_not_change_the_offices_resident_or_booking_settings(app, client, world):
    load(app, mpp())
    add_account(app, "kasi", "manager", "kel-test", agency_code="SAMSAT")
    login(client, "kasi", "password-kasi")
    kel = office(app, "kel-test")
    page = client.get(f"/manager/admin/offices/{kel.id}").text
    assert 'id="office-read-only"' in page and SECRET not in page
    before = state(app)
    for change in ({"phone_tickets": "1"}, {"alert_webhook_url": "https://calo.example/ambil"},
                   {"alert_webhook_secret": SECRET}, {"booking_max_per_day": "20"}):
        assert client.post(f"/manager/admin/offices/{kel.id}", data=page_form(app, **change)).status_code == 403
    assert state(app) == before


def test_a_services_booking_share_is_set_on_its_page_audited_and_kept_by_a_form_without_it(app, client, world):
    login(client, "manager")
    a = world.services["A"]
    form = new_service(world.office, prefix="A", name_id="KTP", name_en="ID card")
    page = client.get(f"/manager/admin/services/{a}").text
    assert 'name="booking_share" value="0.5"' in page
    assert client.post(f"/manager/admin/services/{a}", data={**form, "booking_share": "0,25"}).status_code == 302
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.get(Service, a).booking_share == 0.25
    entry = audit_rows(app, "service")[-1]
    assert (entry.before["booking_share"], entry.after["booking_share"]) == (0.5, 0.25)
    assert client.post(f"/manager/admin/services/{a}", data={**form, "name_en": "Identity card"}).status_code == 302
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.get(Service, a).booking_share == 0.25  # an older form without the field keeps it
    count = len(audit_rows(app, "service"))
    for bad in ("1.5", "-0.1", "separuh", ""):
        refused = client.post(f"/manager/admin/services/{a}", data={**form, "booking_share": bad})
        assert refused.status_code == 422, bad
        assert "booking_share" in refused.text.split('id="form-error">', 1)[1].split("</p>", 1)[0]
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.get(Service, a).booking_share == 0.25
    assert len(audit_rows(app, "service")) == count
    added = client.post("/manager/admin/services", data=new_service(world.office, booking_share="0"))
    assert added.status_code == 302
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.scalar(select(Service.booking_share).where(Service.prefix == "D")) == 0.0
