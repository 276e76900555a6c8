"""agencies inside an office (an MPP's instansi): services, counters and staff may belong to one

Revision ID: 0011_agencies
Revises: 0010_office_closures
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_agencies'
down_revision = '0010_office_closures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_agencies_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('office_id', 'code', name=op.f('uq_agencies_office_id')),
    )
    with op.batch_alter_table('agencies') as batch:
        batch.create_index(batch.f('ix_agencies_office_id'), ['office_id'], unique=False)
    for table in ('services', 'counters'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
            batch.create_foreign_key(batch.f(f'fk_{table}_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])
            batch.create_index(batch.f(f'ix_{table}_agency_id'), ['agency_id'], unique=False)
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_staff_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.drop_constraint(batch.f('fk_staff_agency_id_agencies'), type_='foreignkey')
        batch.drop_column('agency_id')
    for table in ('counters', 'services'):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f'ix_{table}_agency_id'))
            batch.drop_constraint(batch.f(f'fk_{table}_agency_id_agencies'), type_='foreignkey')
            batch.drop_column('agency_id')
    op.drop_table('agencies')
