"""Manager pages: sign-in, refusal of clerks, and office scoping."""

from __future__ import annotations

import pytest

from tests.conftest import login


def test_anonymous_visitor_is_sent_to_the_login_form(client, world):
    response = client.get("/manager/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manager/login")


def test_clerk_gets_a_readable_refusal_not_the_page(client, world):
    login(client, "clerk1")
    response = client.get("/manager/")
    assert response.status_code == 403
    assert "tidak berwenang" in response.get_data(as_text=True)


def test_clerk_cannot_sign_in_on_the_manager_form(client, world):
    response = client.post("/manager/login", data={"username": "clerk1", "password": "password-1"})
    assert response.status_code == 403
    assert "pengawas dan manajer" in response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "password", "status"), [("", "", 422), ("manager", "wrong", 401)])
def test_bad_sign_in_is_refused_with_a_message(client, world, username, password, status):
    response = client.post("/manager/login", data={"username": username, "password": password})
    assert response.status_code == status
    assert 'role="alert"' in response.get_data(as_text=True)


def test_kecamatan_manager_sees_own_kelurahan_but_not_another_region(client, world):
    response = client.post("/manager/login", data={"username": "manager", "password": "password-m",
                                                   "next": "https://evil.example/manager/"})
    assert response.headers["Location"] == "/manager/"
    page = client.get("/manager/").get_data(as_text=True)
    assert "Kecamatan Uji" in page and "Kelurahan Uji" in page
    assert "Kelurahan Lain" not in page


def test_supervisor_sees_only_their_office(client, world):
    client.post("/manager/login", data={"username": "sup", "password": "password-s"})
    page = client.get("/manager/").get_data(as_text=True)
    assert "Kelurahan Uji" in page
    assert "Kecamatan Uji" not in page and "Kelurahan Lain" not in page
