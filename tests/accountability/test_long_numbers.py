"""A number of thousands of digits in a discipline filter, page or form: Python's int() refuses more than 4,300
digits with a ValueError that nothing caught (a 500). Each must be an ordinary refusal that changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from ptsp.models import DisciplineSettings
from tests.accountability.test_pages import sign_in
from tests.conftest import login

HUGE = "9" * 5000


def test_huge_numbers_in_the_violation_api_are_a_422(client, world):
    login(client, "sup")
    for path in (f"/api/v1/violations?page={HUGE}", f"/api/v1/violations?per_page={HUGE}",
                 f"/api/v1/violations?office={HUGE}", f"/api/v1/violations/ranking?office={HUGE}",
                 f"/api/v1/violations/mine?days={HUGE}"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert set(response.get_json()) == {"error", "message"} and response.get_json()["error"] == "invalid_input"


def test_huge_numbers_on_the_discipline_page_and_its_tolerance_form_change_nothing(client, world, db):
    sign_in(client, "sup", "password-s")
    for path in (f"/manager/discipline?page={HUGE}", f"/manager/discipline?office={HUGE}",
                 f"/manager/offices?a={HUGE}&b=1"):
        assert client.get(path).status_code == 200, path
    for form in ({"office": HUGE, "late_opening": "5"}, {"office": str(world.office), "late_opening": HUGE}):
        response = client.post("/manager/discipline/tolerance", data=form)
        assert response.status_code == 400, form
        assert 'role="alert"' in response.get_data(as_text=True)
    assert db.scalar(select(DisciplineSettings.tolerance_minutes)) is None
