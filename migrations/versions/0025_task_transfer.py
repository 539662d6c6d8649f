"""task_transfer: a 转办 waiting for the center coordinator's approval (transferApproval), and
its decision; at most one pending request per task

Revision ID: 0025
Revises: 0027
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0027'
branch_labels = None
depends_on = None

PENDING_ONLY = sa.text("state = 'pending'")


def upgrade():
    op.create_table(
        'task_transfer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='transfer_state',
                                   native_enum=False, length=16), nullable=False),
        sa.Column('from_department_id', sa.Integer(), nullable=True),
        sa.Column('to_department_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'],
                                name=op.f('fk_task_transfer_task_id_human_task')),
        sa.ForeignKeyConstraint(['from_department_id'], ['department.id'],
                                name=op.f('fk_task_transfer_from_department_id_department')),
        sa.ForeignKeyConstraint(['to_department_id'], ['department.id'],
                                name=op.f('fk_task_transfer_to_department_id_department')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'],
                                name=op.f('fk_task_transfer_requested_by_id_app_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'],
                                name=op.f('fk_task_transfer_decided_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_transfer')),
    )
    op.create_index('ix_task_transfer_task', 'task_transfer', ['task_id', 'state'])
    op.create_index('uq_task_transfer_pending', 'task_transfer', ['task_id'], unique=True,
                    postgresql_where=PENDING_ONLY, sqlite_where=PENDING_ONLY)


def downgrade():
    op.drop_index('uq_task_transfer_pending', table_name='task_transfer')
    op.drop_index('ix_task_transfer_task', table_name='task_transfer')
    op.drop_table('task_transfer')
