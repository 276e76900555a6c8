"""each agency's own complaint channel, shown to the residents of its services instead of the office's

Revision ID: 0017_agency_channel
Revises: 0016_calendar_overrides
"""

from alembic import op
import sqlalchemy as sa


revision = '0017_agency_channel'
down_revision = '0016_calendar_overrides'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.add_column(sa.Column('complaint_channel', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('complaint_channel')
