"""The partial index of waiting tickets also holds what call-next orders and filters them by

Every call-next on SQLite reads the heads of its counter's lines in one statement (`next_in_line.call_heads`):
for each kind of head (priority or regular, walk-in or appointment, returned parked, urgent) the first waiting
ticket of the counter's services. `ix_tickets_waiting` found the waiting tickets of those services, but held only
the office, day, service and status, so SQLite read each one's row from the table to see its priority, times and
appointment, once per kind of head: with 600 waiting, about 1.1 ms of a call's 2 ms of SQL. Holding those columns
too (priority, queued at, appointment and its time, the counter a parked ticket returns to, the urgent sign-off),
the index alone answers, and the same statement costs about half (docs/benchmarks.md, "The counter screen's own
path"). The index keeps its first four columns, so the waiting counts every fact carries are answered by it as
before; it still holds only waiting tickets, each entering and leaving once.

Revision ID: 0029_waiting_index_covers_heads
Revises: 0028_office_subscriptions
"""

import sqlalchemy as sa
from alembic import op


revision = '0029_waiting_index_covers_heads'
down_revision = '0028_office_subscriptions'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'waiting'")
BEFORE = ['office_id', 'service_day', 'service_id', 'status']
COVERING = [*BEFORE, 'priority', 'queued_at', 'appointment_id', 'appointment_at', 'return_counter_id', 'urgent_at']


def upgrade() -> None:
    op.drop_index('ix_tickets_waiting', table_name='tickets')
    op.create_index('ix_tickets_waiting', 'tickets', COVERING, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade() -> None:
    op.drop_index('ix_tickets_waiting', table_name='tickets')
    op.create_index('ix_tickets_waiting', 'tickets', BEFORE, sqlite_where=WAITING, postgresql_where=WAITING)
