"""Supervision: human_task.timed_out (overdue is a fact of the task); grid_shape (dashboard map);
warning_rule and risk_warning (风险预警)

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
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'warning_rule',
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_warning_rule_updated_by_id_app_user')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_warning_rule')),
    )
    op.create_table(
        'risk_warning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('dedupe_key', sa.String(length=160), nullable=False),
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_risk_warning_org_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_warning')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_risk_warning_dedupe_key')),
    )
    op.create_index('ix_risk_warning_unit', 'risk_warning', ['org_unit_id', 'created_at'])
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
    closed_late = sa.text("state IN ('completed', 'cancelled') AND due_at IS NOT NULL "
                          "AND (completed_at > due_at OR timed_out IS true)")
    op.create_index('ix_human_task_overdue_closed', 'human_task', ['due_at', 'case_org_unit_id'],
                    postgresql_where=closed_late, sqlite_where=closed_late)


def downgrade():
    op.drop_index('ix_human_task_overdue_closed', table_name='human_task')
    op.drop_table('grid_shape')
    op.drop_index('ix_risk_warning_unit', table_name='risk_warning')
    op.drop_table('risk_warning')
    op.drop_table('warning_rule')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('timed_out')
