"""calendar overrides: a day an office stays open although the national calendar gives cuti bersama

Revision ID: 0016_calendar_overrides
Revises: 0015_pairing_codes
"""

from alembic import op
import sqlalchemy as sa


revision = '0016_calendar_overrides'
down_revision = '0015_pairing_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('office_closed_days') as batch:
        batch.add_column(sa.Column('stays_open', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('office_closed_days') as batch:
        batch.drop_column('stays_open')
