"""human_task: index for the 已办 (done by me) tab

Revision ID: 0009
Revises: 0008
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_human_task_done', 'human_task', ['completed_by_id', 'completed_at'], unique=False)


def downgrade():
    op.drop_index('ix_human_task_done', table_name='human_task')
