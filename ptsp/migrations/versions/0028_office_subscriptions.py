"""Each office's number of alert subscriptions, raised by the database beside its fact sequence

After every commit that published a fact, the alert task asked the database whether the office had any alert
subscription (a read transaction of its own: two statements per commit, about a fifth of a ticket issue's).
`office_sequences.subscriptions` holds an upper bound of that number on the row every fact's transaction already
writes, and the sequence upsert returns it with the new sequence number (ptsp/services/lookup.py: `publish`), so
the answer comes with the fact.

A trigger raises it for every subscription inserted (or moved to another office), however it is made, in the
inserting transaction: a count can be too high, never too low, and too high only costs the alert task a read.
Deletes do not lower it: on PostgreSQL a delete that locked the office's sequence row could deadlock with another
clean-up deleting the same office's subscriptions in another order. The alert clean-up's minute round sets each
office whose count is off back to the real number (`services.alerts.recount_offices`), one office per short
transaction.

Revision ID: 0028_office_subscriptions
Revises: 0027_ticket_indexes
"""

import sqlalchemy as sa
from alembic import op


revision = '0028_office_subscriptions'
down_revision = '0027_ticket_indexes'
branch_labels = None
depends_on = None

# An office with no fact yet has no sequence row: its first subscription makes one at seq 0 ("nothing published").
_RAISE = ('INSERT INTO office_sequences (office_id, seq, subscriptions) VALUES ({office}, 0, 1) '
          'ON CONFLICT (office_id) DO UPDATE SET subscriptions = office_sequences.subscriptions + 1')
_SQLITE = {'office_subscriptions_insert': 'AFTER INSERT',
           'office_subscriptions_move': 'AFTER UPDATE OF office_id'}


def upgrade() -> None:
    op.add_column('office_sequences', sa.Column('subscriptions', sa.Integer(), nullable=False, server_default='0'))
    # The triggers before the count of what is there: a subscription stored meanwhile is counted twice at worst.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""CREATE FUNCTION ptsp_office_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {_RAISE.format(office='NEW.office_id')}; RETURN NULL; END $$""")
        op.execute('CREATE TRIGGER office_subscriptions AFTER INSERT OR UPDATE OF office_id '
                   'ON alert_subscriptions FOR EACH ROW EXECUTE FUNCTION ptsp_office_subscriptions()')
    else:
        for name, event in _SQLITE.items():
            op.execute(f"CREATE TRIGGER {name} {event} ON alert_subscriptions "
                       f"BEGIN {_RAISE.format(office='NEW.office_id')}; END")
    op.execute('INSERT INTO office_sequences (office_id, seq, subscriptions) '
               'SELECT DISTINCT office_id, 0, 0 FROM alert_subscriptions WHERE true ON CONFLICT DO NOTHING')
    op.execute('UPDATE office_sequences SET subscriptions = (SELECT count(*) FROM alert_subscriptions '
               'WHERE alert_subscriptions.office_id = office_sequences.office_id)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER office_subscriptions ON alert_subscriptions')
        op.execute('DROP FUNCTION ptsp_office_subscriptions()')
    else:
        for name in _SQLITE:
            op.execute(f'DROP TRIGGER {name}')
    with op.batch_alter_table('office_sequences') as batch:
        batch.drop_column('subscriptions')
