"""web administration: a counter can be closed for good (deactivated) and keep its history

Revision ID: 0014_counter_active
Revises: 0013_admin_audit
"""

from alembic import op
import sqlalchemy as sa


revision = '0014_counter_active'
down_revision = '0013_admin_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('counters') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('counters') as batch:
        batch.drop_column('active')
