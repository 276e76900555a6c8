"""Fixtures for the accountability tests: a writing session on the test app's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tests.accountability.history import History


@pytest.fixture
def db(app, world) -> Iterator[Session]:
    session = app.extensions["ptsp.sessions"]()
    yield session
    session.close()


@pytest.fixture
def history(db) -> History:
    return History(db)
