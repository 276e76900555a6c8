"""accountability: departments, referrals and their events, discipline settings, violations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:19:05.527943
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('response_hours', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_departments_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('slug', name=op.f('uq_departments_slug')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_departments_token_hash'))
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_office_id'), ['office_id'], unique=False)

    op.create_table('discipline_settings',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('ready_minutes', sa.Integer(), nullable=False),
    sa.Column('late_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('break_minutes_per_day', sa.Integer(), nullable=False),
    sa.Column('break_minutes_each', sa.Integer(), nullable=True),
    sa.Column('idle_minutes', sa.Integer(), nullable=False),
    sa.Column('uncovered_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_discipline_settings_office_id_offices')),
    sa.PrimaryKeyConstraint('office_id', name=op.f('pk_discipline_settings'))
    )
    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=False),
    sa.Column('minutes', sa.Double(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_violations_counter_id_counters')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_violations_office_id_offices')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_violations_service_id_services')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_violations_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations')),
    sa.UniqueConstraint('office_id', 'day', 'kind', 'key', name=op.f('uq_violations_office_id'))
    )
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violations_staff_id'), ['staff_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('referred_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('referred_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_referrals_counter_id_counters')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_referrals_department_id_departments')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_referrals_office_id_offices')),
    sa.ForeignKeyConstraint(['referred_by'], ['staff.id'], name=op.f('fk_referrals_referred_by_staff')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_referrals_service_id_services')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_referrals_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_department_at', ['department_id', 'referred_at'], unique=False)
        batch_op.create_index('ix_referrals_office_at', ['office_id', 'referred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_referral_events_department_id_departments')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_events_referral_id_referrals')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_referral_events_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_events'))
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_events_referral_id'), ['referral_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_events_referral_id'))

    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_ticket_id'))
        batch_op.drop_index('ix_referrals_office_at')
        batch_op.drop_index('ix_referrals_department_at')

    op.drop_table('referrals')
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violations_staff_id'))

    op.drop_table('violations')
    op.drop_table('discipline_settings')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_office_id'))

    op.drop_table('departments')
