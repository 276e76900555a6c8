"""config_version: the number each process checks before using its cached offices, services, days and devices

Revision ID: 0025_config_version
Revises: 0024_steps
"""

from alembic import op
import sqlalchemy as sa


revision = '0025_config_version'
down_revision = '0024_steps'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'config_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_config_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade() -> None:
    op.drop_table('config_version')
