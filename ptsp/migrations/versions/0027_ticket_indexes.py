"""Indexes for the hot reads, so that none reads the tickets' whole history

- `ix_tickets_waiting`: every fact (an issue, a call, a start, a completion) carries the office's waiting count
  per service. Counted through `ix_tickets_queue` (office, status, service, queued at), the database read each
  waiting ticket's row to check its service day, and a busy office has hundreds waiting. This partial index
  holds only the waiting tickets, with the day and the service beside the office (and the status, so that
  SQLite 3.40 counts from the index alone), and a ticket leaves it when it is called.
- `ix_tickets_counter`: each call-next, recall, break and close asks for the counter's called or serving
  ticket. No index had the counter, so both databases read the whole tickets table, every day of its history,
  to answer; the cost of a call grew with every ticket ever issued. Partial: only the tickets called or served.
- `ix_tickets_recent`: every wait estimate (each issue, each resident's status page) reads the last 20 services
  of a kind finished within the week. Without an index on the service and the finishing time, both databases
  read the whole table and sorted what matched: with 100,000 tickets of history an issue cost five times the
  CPU of one in a new office (docs/benchmarks.md, "An office with history"). Partial: only finished tickets.
- The partial indexes change only when a ticket enters or leaves their set, so the status changes between
  (waiting, called, serving) do not rewrite them; a query must write the status into its SQL to use them.
- `ix_tickets_called`: every office snapshot (a display connecting or catching up, the office's queue) lists
  the day's last calls. Through `ix_tickets_queue` the database read every ticket the office ever had.
- `ix_counter_sessions_open`: the open stretches of counters only (at most one per counter). Opening a counter
  looks for the clerk's other open counters, and every wait estimate counts the service's open counters; both
  read every stretch ever recorded.
- `ix_tickets_clerk_day`: every counter screen asks for its clerk's figures of the day after every fact of the
  office, which read the whole tickets table.
- `ix_counter_sessions_ending`: the stretches of an office running or ended after a time (the day's discipline
  scan, the leaderboard's hours at counters), which read every stretch the office ever had.
- The rounds of the minute: `ix_tickets_parked` (parked tickets past their deadline), `ix_print_jobs_status`
  (failed and pending print jobs), and `ix_tickets_phone_device` made partial, holding only the keys still set
  (the clean-up clears the keys of ended tickets). Each had read every ticket or print job ever made.
- `ix_alert_subscriptions_office_id`: after every commit the alert task asks whether the office has any
  subscription; the rows live only while their ticket is open, but in city mode they are every office's.

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
PARKED = sa.text("status = 'parked'")
AT_A_COUNTER = sa.text("status IN ('called', 'serving')")
FINISHED = sa.text("status = 'done'")
PHONE = sa.text("phone_device IS NOT NULL")


def upgrade() -> None:
    op.create_index('ix_tickets_waiting', 'tickets', ['office_id', 'service_day', 'service_id', 'status'],
                    sqlite_where=WAITING, postgresql_where=WAITING)
    op.create_index('ix_tickets_counter', 'tickets', ['counter_id'],
                    sqlite_where=AT_A_COUNTER, postgresql_where=AT_A_COUNTER)
    op.create_index('ix_tickets_recent', 'tickets', ['service_id', 'finished_at'],
                    sqlite_where=FINISHED, postgresql_where=FINISHED)
    op.create_index('ix_tickets_called', 'tickets', ['office_id', 'service_day', 'called_at'])
    op.create_index('ix_counter_sessions_open', 'counter_sessions', ['counter_id', 'state', 'staff_id'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_tickets_clerk_day', 'tickets', ['clerk_id', 'service_day'])
    op.create_index('ix_counter_sessions_ending', 'counter_sessions', ['office_id', 'ended_at'])
    op.create_index('ix_alert_subscriptions_office_id', 'alert_subscriptions', ['office_id'])
    op.create_index('ix_tickets_parked', 'tickets', ['office_id', 'parked_until'],
                    sqlite_where=PARKED, postgresql_where=PARKED)
    op.create_index('ix_print_jobs_status', 'print_jobs', ['status'])
    op.drop_index('ix_tickets_phone_device', table_name='tickets')
    op.create_index('ix_tickets_phone_device', 'tickets', ['phone_device'], sqlite_where=PHONE, postgresql_where=PHONE)


def downgrade() -> None:
    op.drop_index('ix_tickets_phone_device', table_name='tickets')
    op.create_index('ix_tickets_phone_device', 'tickets', ['phone_device'])
    op.drop_index('ix_print_jobs_status', table_name='print_jobs')
    op.drop_index('ix_tickets_parked', table_name='tickets')
    op.drop_index('ix_alert_subscriptions_office_id', table_name='alert_subscriptions')
    op.drop_index('ix_counter_sessions_ending', table_name='counter_sessions')
    op.drop_index('ix_tickets_clerk_day', table_name='tickets')
    op.drop_index('ix_counter_sessions_open', table_name='counter_sessions')
    op.drop_index('ix_tickets_called', table_name='tickets')
    op.drop_index('ix_tickets_recent', table_name='tickets')
    op.drop_index('ix_tickets_counter', table_name='tickets')
    op.drop_index('ix_tickets_waiting', table_name='tickets')
