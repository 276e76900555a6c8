"""appointments: booked turns, each office's booking settings, a service's booked share, a ticket's booking

Revision ID: 0019_appointments
Revises: 0018_resident_alerts
"""

from alembic import op
import sqlalchemy as sa


revision = '0019_appointments'
down_revision = '0018_resident_alerts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointment_settings',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('days_ahead', sa.Integer(), nullable=False),
    sa.Column('early_minutes', sa.Integer(), nullable=False),
    sa.Column('late_minutes', sa.Integer(), nullable=False),
    sa.Column('max_per_day', sa.Integer(), nullable=False),
    sa.Column('no_show_limit', sa.Integer(), nullable=False),
    sa.Column('block_days', sa.Integer(), nullable=False),
    sa.Column('max_run', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_appointment_settings_office_id_offices')),
    sa.PrimaryKeyConstraint('office_id', name=op.f('pk_appointment_settings'))
    )
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot_start', sa.Time(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('phone_consent', sa.Boolean(), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=True),
    sa.Column('phone_key', sa.String(length=64), nullable=True),
    sa.Column('device_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('reschedules', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_appointments_office_id_offices')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_appointments_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('code', name=op.f('uq_appointments_code'))
    )
    with op.batch_alter_table('appointments') as batch:
        batch.create_index('ix_appointments_slot', ['office_id', 'service_id', 'day', 'slot_start'], unique=False)
        batch.create_index('ix_appointments_phone_key', ['phone_key'], unique=False)
        batch.create_index('ix_appointments_device_key', ['device_key'], unique=False)
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column('booking_share', sa.Double(), nullable=False, server_default='0.5'))
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('appointment_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('appointment_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f('fk_tickets_appointment_id_appointments'), 'appointments',
                                 ['appointment_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.drop_constraint(op.f('fk_tickets_appointment_id_appointments'), type_='foreignkey')
        batch.drop_column('appointment_at')
        batch.drop_column('appointment_id')
    with op.batch_alter_table('services') as batch:
        batch.drop_column('booking_share')
    op.drop_table('appointments')
    op.drop_table('appointment_settings')
