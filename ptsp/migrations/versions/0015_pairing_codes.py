"""web administration: short pairing codes shown by unpaired stations; test prints (a print job of no ticket)

Revision ID: 0015_pairing_codes
Revises: 0014_counter_active
"""

from alembic import op
import sqlalchemy as sa


revision = '0015_pairing_codes'
down_revision = '0014_counter_active'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pairing_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('collected_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_pairing_codes_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_pairing_codes_code_hash')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_pairing_codes_secret_hash'))
    )
    # A test print from the administration pages is a print job of no ticket.
    with op.batch_alter_table('print_jobs') as batch:
        batch.alter_column('ticket_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM print_jobs WHERE ticket_id IS NULL")
    with op.batch_alter_table('print_jobs') as batch:
        batch.alter_column('ticket_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('pairing_codes')
