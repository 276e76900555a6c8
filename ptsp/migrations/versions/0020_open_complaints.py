"""open complaints: a tracking code, an optional contact, the first response and the SP4N-LAPOR! number

Revision ID: 0020_open_complaints
Revises: 0019_appointments
"""

from alembic import op
import sqlalchemy as sa


revision = '0020_open_complaints'
down_revision = '0019_appointments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('contact', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('lapor_number', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_complaints_code'), ['code'])
    # A complaint filed before: its first response is its first event past "received".
    op.execute(
        "UPDATE complaints SET first_response_at = (SELECT MIN(e.at) FROM complaint_events e "
        "WHERE e.complaint_id = complaints.id AND e.status <> 'received')"
    )


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_complaints_code'), type_='unique')
        batch_op.drop_column('lapor_number')
        batch_op.drop_column('contact')
        batch_op.drop_column('code')
        batch_op.drop_column('first_response_at')
