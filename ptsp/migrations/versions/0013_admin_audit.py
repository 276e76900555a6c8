"""web administration: the audit log of every admin change (before and after), and a forced password change

Revision ID: 0013_admin_audit
Revises: 0012_service_standard
"""

from alembic import op
import sqlalchemy as sa


revision = '0013_admin_audit'
down_revision = '0012_service_standard'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_staff_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_staff_id'], ['staff.id'], name=op.f('fk_audit_entries_actor_staff_id_staff')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_audit_entries_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries') as batch:
        batch.create_index('ix_audit_entries_office_id_id', ['office_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('audit_entries')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('must_change_password')
