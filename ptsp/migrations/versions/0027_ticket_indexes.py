"""Indexes for the hot reads, so that none reads the tickets' whole history

- `ix_tickets_waiting`: every fact (an issue, a call, a start, a completion) carries the office's waiting count
  per service. Counted through `ix_tickets_queue` (office, status, service, queued at), the database read each
  waiting ticket's row to check its service day, and a busy office has hundreds waiting. This partial index
  holds only the waiting tickets, with the day and the service beside the office (and the status, so that
  SQLite 3.40 counts from the index alone), and a ticket leaves it when it is called.
- `ix_tickets_counter`: each call-next, recall, break and close asks for the counter's called or serving
  ticket. No index had the counter, so both databases read the whole tickets table, every day of its history,
  to answer; the cost of a call grew with every ticket ever issued.
- `ix_tickets_recent`: every wait estimate (each issue, each resident's status page) reads the last 20 services
  of a kind finished within the week. Without an index on the service and the finishing time, both databases
  read the whole table and sorted what matched: with 100,000 tickets of history an issue cost five times the
  CPU of one in a new office (docs/benchmarks.md, "An office with history").
- `ix_tickets_called`: every office snapshot (a display connecting or catching up, the office's queue) lists
  the day's last calls. Through `ix_tickets_queue` the database read every ticket the office ever had.
- `ix_counter_sessions_open`: the open stretches of counters only (at most one per counter). Opening a counter
  looks for the clerk's other open counters, and every wait estimate counts the service's open counters; both
  read every stretch ever recorded.

Revision ID: 0027_ticket_indexes
Revises: 0026_config_version_triggers
"""

import sqlalchemy as sa
from alembic import op


revision = '0027_ticket_indexes'
down_revision = '0026_config_version_triggers'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'waiting'")
OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.create_index('ix_tickets_waiting', 'tickets', ['office_id', 'service_day', 'service_id', 'status'],
                    sqlite_where=WAITING, postgresql_where=WAITING)
    op.create_index('ix_tickets_counter', 'tickets', ['counter_id', 'status'])
    op.create_index('ix_tickets_recent', 'tickets', ['service_id', 'status', 'finished_at'])
    op.create_index('ix_tickets_called', 'tickets', ['office_id', 'service_day', 'called_at'])
    op.create_index('ix_counter_sessions_open', 'counter_sessions', ['counter_id', 'state', 'staff_id'],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('ix_counter_sessions_open', table_name='counter_sessions')
    op.drop_index('ix_tickets_called', table_name='tickets')
    op.drop_index('ix_tickets_recent', table_name='tickets')
    op.drop_index('ix_tickets_counter', table_name='tickets')
    op.drop_index('ix_tickets_waiting', table_name='tickets')
