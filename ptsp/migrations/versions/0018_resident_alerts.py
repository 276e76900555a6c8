"""residents beyond the hall: phone tickets (source, device key), alert subscriptions and sent alerts, office settings

Revision ID: 0018_resident_alerts
Revises: 0017_agency_channel
"""

from alembic import op
import sqlalchemy as sa


revision = '0018_resident_alerts'
down_revision = '0017_agency_channel'
branch_labels = None
depends_on = None


# `ticket_id` has no foreign key on purpose: on PostgreSQL inserting a row that references a ticket takes a KEY
# SHARE lock on it, and a clerk's "call next" (FOR UPDATE SKIP LOCKED) would skip that ticket meanwhile. The rows
# are deleted with their ticket's end by services.alerts.forget_ended.


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('phone_tickets', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('alert_position', sa.Integer(), nullable=False, server_default='3'))
        batch.add_column(sa.Column('alert_webhook_url', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('alert_webhook_secret', sa.String(length=200), nullable=True))
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('source', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('phone_device', sa.String(length=64), nullable=True))
        batch.create_index('ix_tickets_phone_device', ['phone_device'], unique=False)
    op.create_table('alert_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('endpoint', sa.Text(), nullable=True),
    sa.Column('p256dh', sa.String(length=200), nullable=True),
    sa.Column('auth', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_alert_subscriptions_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriptions'))
    )
    with op.batch_alter_table('alert_subscriptions') as batch:
        batch.create_index('ix_alert_subscriptions_ticket_id', ['ticket_id'], unique=False)
    op.create_table('alerts_sent',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', 'event', 'n', name=op.f('pk_alerts_sent'))
    )


def downgrade() -> None:
    op.drop_table('alerts_sent')
    op.drop_table('alert_subscriptions')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_index('ix_tickets_phone_device')
        batch.drop_column('phone_device')
        batch.drop_column('source')
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('alert_webhook_secret')
        batch.drop_column('alert_webhook_url')
        batch.drop_column('alert_position')
        batch.drop_column('phone_tickets')
