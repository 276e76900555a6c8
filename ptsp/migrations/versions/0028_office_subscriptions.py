"""Each office's number of alert subscriptions, kept beside its fact sequence by the database

After every commit that published a fact, the alert task asked the database whether the office had any alert
subscription (a read transaction of its own: two statements per commit, about a fifth of a ticket issue's).
`office_sequences.subscriptions` holds that number on the row every fact's transaction already writes, and the
sequence upsert returns it with the new sequence number (ptsp/services/lookup.py: `publish`), so the answer
comes with the fact. Triggers keep it for every insert, delete and move of a subscription, however made (the
application, a cascade, raw SQL), in the changing transaction.

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
_ENSURE = 'INSERT INTO office_sequences (office_id, seq, subscriptions) VALUES ({office}, 0, 0) ON CONFLICT DO NOTHING'
_ADD = 'UPDATE office_sequences SET subscriptions = subscriptions + 1 WHERE office_id = {office}'
_REMOVE = 'UPDATE office_sequences SET subscriptions = subscriptions - 1 WHERE office_id = {office}'
_SQLITE = {
    'office_subscriptions_insert': ('AFTER INSERT', (_ENSURE, _ADD), 'NEW'),
    'office_subscriptions_delete': ('AFTER DELETE', (_REMOVE,), 'OLD'),
    'office_subscriptions_move_out': ('AFTER UPDATE OF office_id', (_REMOVE,), 'OLD'),
    'office_subscriptions_move_in': ('AFTER UPDATE OF office_id', (_ENSURE, _ADD), 'NEW'),
}


def upgrade() -> None:
    op.add_column('office_sequences', sa.Column('subscriptions', sa.Integer(), nullable=False, server_default='0'))
    op.execute('INSERT INTO office_sequences (office_id, seq, subscriptions) '
               'SELECT DISTINCT office_id, 0, 0 FROM alert_subscriptions WHERE true ON CONFLICT DO NOTHING')
    op.execute('UPDATE office_sequences SET subscriptions = (SELECT count(*) FROM alert_subscriptions '
               'WHERE alert_subscriptions.office_id = office_sequences.office_id)')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""CREATE FUNCTION ptsp_office_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('DELETE', 'UPDATE') THEN {_REMOVE.format(office='OLD.office_id')}; END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {_ENSURE.format(office='NEW.office_id')}; {_ADD.format(office='NEW.office_id')};
              END IF;
              RETURN NULL;
            END $$""")
        op.execute('CREATE TRIGGER office_subscriptions AFTER INSERT OR DELETE OR UPDATE OF office_id '
                   'ON alert_subscriptions FOR EACH ROW EXECUTE FUNCTION ptsp_office_subscriptions()')
        # TRUNCATE fires no row trigger: it empties every office's count at once.
        op.execute("""CREATE FUNCTION ptsp_office_subscriptions_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE office_sequences SET subscriptions = 0; RETURN NULL; END $$""")
        op.execute('CREATE TRIGGER office_subscriptions_truncated AFTER TRUNCATE ON alert_subscriptions '
                   'FOR EACH STATEMENT EXECUTE FUNCTION ptsp_office_subscriptions_truncated()')
        return
    for name, (event, steps, row) in _SQLITE.items():
        body = '; '.join(step.format(office=f'{row}.office_id') for step in steps)
        op.execute(f'CREATE TRIGGER {name} {event} ON alert_subscriptions BEGIN {body}; END')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER office_subscriptions_truncated ON alert_subscriptions')
        op.execute('DROP TRIGGER office_subscriptions ON alert_subscriptions')
        op.execute('DROP FUNCTION ptsp_office_subscriptions_truncated()')
        op.execute('DROP FUNCTION ptsp_office_subscriptions()')
    else:
        for name in _SQLITE:
            op.execute(f'DROP TRIGGER {name}')
    with op.batch_alter_table('office_sequences') as batch:
        batch.drop_column('subscriptions')
