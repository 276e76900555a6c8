"""points fairness: who issued a ticket and whether for a walk-in; a rating's staff session

Revision ID: 0007_points_fairness
Revises: 0006_account_security
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_points_fairness'
down_revision = '0006_account_security'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('issued_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('walk_in', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key(batch.f('fk_tickets_issued_by_staff'), 'staff', ['issued_by'], ['id'])
    with op.batch_alter_table('ratings') as batch:
        batch.add_column(sa.Column('staff_session_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_ratings_staff_session_id_staff'), 'staff', ['staff_session_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('ratings') as batch:
        batch.drop_constraint(batch.f('fk_ratings_staff_session_id_staff'), type_='foreignkey')
        batch.drop_column('staff_session_id')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_constraint(batch.f('fk_tickets_issued_by_staff'), type_='foreignkey')
        batch.drop_column('walk_in')
        batch.drop_column('issued_by')
