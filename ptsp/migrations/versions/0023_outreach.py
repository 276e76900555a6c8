"""outreach: jemput bola requests and their stages; a points line may be a visit's (outreach_id)

Revision ID: 0023_outreach
Revises: 0022_park
"""

from alembic import op
import sqlalchemy as sa


revision = '0023_outreach'
down_revision = '0022_park'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outreach_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', sa.DateTime(), nullable=True),
    sa.Column('travel_minutes', sa.Double(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('first_response_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_outreach_requests_office_id_offices')),
    sa.ForeignKeyConstraint(['officer_id'], ['staff.id'], name=op.f('fk_outreach_requests_officer_id_staff')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_outreach_requests_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_requests')),
    sa.UniqueConstraint('code', name=op.f('uq_outreach_requests_code'))
    )
    with op.batch_alter_table('outreach_requests', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_office_status', ['office_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_requests_officer_id'), ['officer_id'], unique=False)
    op.create_table('outreach_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_outreach_events_office_id_offices')),
    sa.ForeignKeyConstraint(['request_id'], ['outreach_requests.id'],
                            name=op.f('fk_outreach_events_request_id_outreach_requests')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_outreach_events_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_events'))
    )
    with op.batch_alter_table('outreach_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_events_request_id'), ['request_id'], unique=False)
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outreach_id', sa.Integer(), nullable=True))
        batch_op.alter_column('ticket_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_points_ledger_outreach_id_outreach_requests'),
                                    'outreach_requests', ['outreach_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_points_ledger_outreach_id'), ['outreach_id', 'kind'])


def downgrade() -> None:
    op.execute("DELETE FROM points_ledger WHERE ticket_id IS NULL")
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_points_ledger_outreach_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_points_ledger_outreach_id_outreach_requests'), type_='foreignkey')
        batch_op.alter_column('ticket_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('outreach_id')
    with op.batch_alter_table('outreach_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_events_request_id'))
    op.drop_table('outreach_events')
    with op.batch_alter_table('outreach_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_requests_officer_id'))
        batch_op.drop_index('ix_outreach_office_status')
    op.drop_table('outreach_requests')
