"""Passwords: production hashes with scrypt; only the suite picks a cheaper method."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker
from werkzeug.security import check_password_hash

from ptsp.config import load_config
from ptsp.db import make_engine
from ptsp.services.accounts import HASH_METHOD_KEY, add_staff, authenticate


def test_production_hashes_passwords_with_scrypt_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("PTSP_PASSWORD_HASH_METHOD", raising=False)
    monkeypatch.setenv("PTSP_SECRET_KEY", "s" * 40)
    assert load_config(str(tmp_path))["PASSWORD_HASH_METHOD"] == "scrypt"


def test_a_session_without_a_configured_method_hashes_with_scrypt(sqlite_url):
    with sessionmaker(make_engine(sqlite_url))() as session:
        staff = add_staff(session, username="rina", name="Rina", password="rahasia-123", role="admin", office=None)
        assert staff.password_hash.startswith("scrypt:")
        assert check_password_hash(staff.password_hash, "rahasia-123")


def test_accounts_hashed_by_either_method_log_in(sqlite_url):
    engine = make_engine(sqlite_url)
    with sessionmaker(engine, info={HASH_METHOD_KEY: "pbkdf2:sha256:1"})() as session:
        add_staff(session, username="cheap", name="Cheap", password="rahasia-123", role="admin", office=None)
        session.commit()
    with sessionmaker(engine)() as session:
        add_staff(session, username="strong", name="Strong", password="rahasia-456", role="admin", office=None)
        session.commit()
        assert authenticate(session, "cheap", "rahasia-123") is not None
        assert authenticate(session, "strong", "rahasia-456") is not None
        assert authenticate(session, "strong", "wrong-pass") is None
    engine.dispose()
