"""task_extension: 延期申请 and its decision; deadline_notice.note: the requirement of a 催办/督办 started by hand

Revision ID: 0019
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_extension',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('task_id', sa.String(36), sa.ForeignKey('human_task.id'), nullable=False),
        sa.Column('state', sa.Enum('pending', 'granted', 'refused', name='extension_state',
                                   native_enum=False, length=16), nullable=False),
        sa.Column('previous_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), sa.ForeignKey('app_user.id'), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), sa.ForeignKey('app_user.id'), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.String(500), nullable=True),
    )
    op.create_index('ix_task_extension_task', 'task_extension', ['task_id', 'state'])
    with op.batch_alter_table('deadline_notice') as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('deadline_notice') as batch_op:
        batch_op.drop_column('note')
    op.drop_index('ix_task_extension_task', table_name='task_extension')
    op.drop_table('task_extension')
