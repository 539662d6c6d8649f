"""Background bulk migration: migration_job and migration_job_item

Revision ID: 0026
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('migration_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=36), nullable=False),
    sa.Column('process_id', sa.String(length=128), nullable=False),
    sa.Column('target_deployment_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('running', 'paused', 'done', name='migration_job_state', native_enum=False, length=32), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['target_deployment_id'], ['deployment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch')
    )
    with op.batch_alter_table('migration_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_migration_job_state'), ['state'], unique=False)
    op.create_table('migration_job_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('business_key', sa.String(length=64), nullable=False),
    sa.Column('from_version', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'moved', 'refused', name='migration_item_state', native_enum=False, length=32), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['migration_job.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('migration_job_item', schema=None) as batch_op:
        batch_op.create_index('ix_migration_job_item_job_state', ['job_id', 'state', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('migration_job_item', schema=None) as batch_op:
        batch_op.drop_index('ix_migration_job_item_job_state')
    op.drop_table('migration_job_item')
    with op.batch_alter_table('migration_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_migration_job_state'))
    op.drop_table('migration_job')
