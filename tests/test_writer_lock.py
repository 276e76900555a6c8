"""SQLite writers queue on one process-wide lock per database file; readers never take it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from ptsp.db import make_engine, make_read_sessionmaker, writer_lock


def test_the_writer_lock_is_held_for_a_write_and_released_on_commit_rollback_and_close(sqlite_url):
    engine = make_engine(sqlite_url)
    lock = writer_lock(engine)
    sessions = sessionmaker(engine)
    try:
        for finish in ("commit", "rollback", "close"):
            session = sessions()
            session.execute(text("UPDATE office_sequences SET seq = seq WHERE 0"))
            assert lock.locked(), "a write transaction holds the lock"
            getattr(session, finish)()
            assert not lock.locked(), f"{finish} releases the lock"
            session.close()
        with engine.connect() as conn:  # a connection handed back to the pool without commit
            conn.exec_driver_sql("SELECT 1")
            assert lock.locked()
        assert not lock.locked()
        assert writer_lock(make_engine(sqlite_url)) is lock, "one lock per file, shared by every engine on it"
    finally:
        engine.dispose()


def test_a_reader_does_not_take_the_writer_lock_and_reads_while_a_writer_holds_it(sqlite_url):
    engine = make_engine(sqlite_url)
    lock = writer_lock(engine)
    readers = make_read_sessionmaker(engine)
    try:
        with readers() as reader:
            reader.execute(text("SELECT count(*) FROM offices")).scalar_one()
            assert not lock.locked()
        with sessionmaker(engine)() as writer:
            writer.execute(text("UPDATE office_sequences SET seq = seq WHERE 0"))
            assert lock.locked()
            with readers() as reader:
                assert reader.execute(text("SELECT count(*) FROM offices")).scalar_one() == 0
            writer.rollback()
        assert not lock.locked()
    finally:
        engine.dispose()
