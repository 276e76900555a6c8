"""discipline live: declared closures of an office, withdrawn violations, tolerance per rule

Revision ID: 0008_discipline_live
Revises: 0007_points_fairness

Offices get `closures` (gaps of their hours they declare closed). Existing offices had every gap treated as
closed; from now on only declared closures are, and the other gaps are staff breaks the office covers. The
one closure the articles name, the Friday prayer, is carried over: each existing Friday gap is declared a
closure ("Sholat Jumat"); lunch gaps become staff breaks.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_discipline_live'
down_revision = '0007_points_fairness'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('closures', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('violations') as batch:
        batch.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('discipline_settings') as batch:
        batch.add_column(sa.Column('tolerance_minutes', sa.JSON(), nullable=False, server_default='{}'))

    offices = sa.table('offices', sa.column('id', sa.Integer()), sa.column('hours', sa.JSON()),
                       sa.column('closures', sa.JSON()))
    connection = op.get_bind()
    for office_id, hours in connection.execute(sa.select(offices.c.id, offices.c.hours)).all():
        friday = sorted((hours or {}).get('fri') or [])
        gaps = [[end, start, 'Sholat Jumat'] for (_, end), (start, _) in zip(friday, friday[1:]) if start > end]
        if gaps:
            connection.execute(offices.update().where(offices.c.id == office_id).values(closures={'fri': gaps}))


def downgrade() -> None:
    with op.batch_alter_table('discipline_settings') as batch:
        batch.drop_column('tolerance_minutes')
    with op.batch_alter_table('violations') as batch:
        batch.drop_column('withdrawn_at')
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('closures')
