"""parked tickets and late residents: a ticket's park deadline, the counter it returns to, its park and re-insert
counts; the office's park minutes and late re-insert places (docs/queue.md)

Revision ID: 0022_park
Revises: 0021_urgent
"""

from alembic import op
import sqlalchemy as sa


revision = '0022_park'
down_revision = '0021_urgent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('park_minutes', sa.Integer(), nullable=False, server_default='30'))
        batch.add_column(sa.Column('late_reinsert_places', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('parked_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('return_counter_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('park_count', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('reinsert_count', sa.Integer(), nullable=False, server_default='0'))
        batch.create_foreign_key(op.f('fk_tickets_return_counter_id_counters'), 'counters',
                                 ['return_counter_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.drop_constraint(op.f('fk_tickets_return_counter_id_counters'), type_='foreignkey')
        batch.drop_column('reinsert_count')
        batch.drop_column('park_count')
        batch.drop_column('return_counter_id')
        batch.drop_column('parked_until')
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('late_reinsert_places')
        batch.drop_column('park_minutes')
