"""visits of several steps: a service's route, a ticket's planned next steps, a points line's step

Revision ID: 0024_steps
Revises: 0023_outreach
"""

from alembic import op
import sqlalchemy as sa


revision = '0024_steps'
down_revision = '0023_outreach'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_steps', sa.JSON(), nullable=False, server_default='[]'))
    # Every line written so far is of a visit's first (and only) step.
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_constraint(batch_op.f('uq_points_ledger_ticket_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_points_ledger_ticket_id'), ['ticket_id', 'step', 'kind'])


def downgrade() -> None:
    # Lines of later steps cannot be kept under the one-line-per-kind rule of a ticket: they go with the column.
    op.execute("DELETE FROM points_ledger WHERE step <> 0")
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_points_ledger_ticket_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_points_ledger_ticket_id'), ['ticket_id', 'kind'])
        batch_op.drop_column('step')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('next_steps')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('route')
