"""an office's own closure days (besides national holidays and cuti bersama), with their reason

Revision ID: 0010_office_closures
Revises: 0009_violation_notices
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_office_closures'
down_revision = '0009_violation_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_closed_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ondelete='CASCADE',
                            name=op.f('fk_office_closed_days_office_id_offices')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ondelete='SET NULL',
                            name=op.f('fk_office_closed_days_created_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_closed_days')),
    sa.UniqueConstraint('office_id', 'day', name=op.f('uq_office_closed_days_office_id')),
    )


def downgrade() -> None:
    op.drop_table('office_closed_days')
