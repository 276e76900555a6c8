"""the published service standard of each service: requirements, official fee and its legal basis, completion time

Revision ID: 0012_service_standard
Revises: 0011_agencies
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_service_standard'
down_revision = '0011_agencies'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column('requirements', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('fee_rupiah', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('fee_basis', sa.Text(), nullable=True))
        batch.add_column(sa.Column('completion_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.drop_column('completion_days')
        batch.drop_column('fee_basis')
        batch.drop_column('fee_rupiah')
        batch.drop_column('requirements')
