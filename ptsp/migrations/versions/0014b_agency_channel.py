"""each agency's own complaint channel, shown to the residents of its services instead of the office's

Revision ID: 0014b_agency_channel
Revises: 0013_admin_audit
"""

from alembic import op
import sqlalchemy as sa


revision = '0014b_agency_channel'
down_revision = '0013_admin_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.add_column(sa.Column('complaint_channel', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('complaint_channel')
