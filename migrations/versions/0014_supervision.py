"""Supervision: human_task.timed_out (overdue is a fact of the task); grid_shape (dashboard map)

A task row closed because its timer boundary event fired (escalated by timeout, 超时上交) is
marked, so the overdue list, the on-time rates and the reports count it as overdue instead of
treating it like a withdrawn task. Existing cancelled rows closed at or after their deadline
while their instance went on (not cancelled as a whole) are taken as timed out.

Revision ID: 0014
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'grid_shape',
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('geometry', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_grid_shape_org_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('org_unit_id', name=op.f('pk_grid_shape')),
    )
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('timed_out', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE human_task SET timed_out = true WHERE state = 'cancelled' AND due_at IS NOT NULL "
               "AND completed_at >= due_at AND instance_id IN "
               "(SELECT id FROM process_instance WHERE status <> 'cancelled')")


def downgrade():
    op.drop_table('grid_shape')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('timed_out')
