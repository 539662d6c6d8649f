"""human_task: warn_at (yellow-warning moment, indexed) and draft (saved form values)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('warn_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch.create_index('ix_human_task_warn', ['state', 'warn_at'], unique=False)
    op.execute(
        "UPDATE human_task SET warn_at = due_at WHERE due_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_warn')
        batch.drop_column('draft')
        batch.drop_column('warn_at')
