"""violation notices to two superiors (read, acknowledged with a note, webhook delivery) and clerks' answers

Revision ID: 0009_violation_notices
Revises: 0008_discipline_live
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_violation_notices'
down_revision = '0008_discipline_live'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('violation_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('violation_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('delivery_attempts', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('delivery_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], ondelete='CASCADE',
                            name=op.f('fk_violation_notices_violation_id_violations')),
    sa.ForeignKeyConstraint(['recipient_id'], ['staff.id'], name=op.f('fk_violation_notices_recipient_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_notices')),
    sa.UniqueConstraint('violation_id', 'recipient_id', name=op.f('uq_violation_notices_violation_id')),
    )
    with op.batch_alter_table('violation_notices') as batch:
        batch.create_index(batch.f('ix_violation_notices_violation_id'), ['violation_id'], unique=False)
        batch.create_index('ix_violation_notices_recipient_read', ['recipient_id', 'read_at'], unique=False)
    op.create_table('violation_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('violation_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], ondelete='CASCADE',
                            name=op.f('fk_violation_answers_violation_id_violations')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_violation_answers_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_answers')),
    sa.UniqueConstraint('violation_id', name=op.f('uq_violation_answers_violation_id')),
    )


def downgrade() -> None:
    op.drop_table('violation_answers')
    op.drop_table('violation_notices')
