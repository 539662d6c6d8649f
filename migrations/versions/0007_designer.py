"""designer: process drafts edited in the browser and instance migrations (with rollback)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=128), nullable=False),
    sa.Column('base_deployment_id', sa.Integer(), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['base_deployment_id'], ['deployment.id'], name=op.f('fk_process_draft_base_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_process_draft_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_process_draft_deployment_id_deployment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_draft'))
    )
    with op.batch_alter_table('process_draft', schema=None) as batch_op:
        batch_op.create_index('ix_process_draft_process', ['process_id', 'updated_at'], unique=False)

    op.create_table('instance_migration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('from_deployment_id', sa.Integer(), nullable=False),
    sa.Column('to_deployment_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('migrated', 'rolled_back', name='migration_state', native_enum=False, length=32), nullable=False),
    sa.Column('old_state', sa.Text(), nullable=False),
    sa.Column('old_version', sa.Integer(), nullable=False),
    sa.Column('new_version', sa.Integer(), nullable=False),
    sa.Column('migrated_at', sa.DateTime(), nullable=False),
    sa.Column('migrated_by_id', sa.Integer(), nullable=True),
    sa.Column('rolled_back_at', sa.DateTime(), nullable=True),
    sa.Column('rolled_back_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['from_deployment_id'], ['deployment.id'], name=op.f('fk_instance_migration_from_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_instance_migration_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['migrated_by_id'], ['app_user.id'], name=op.f('fk_instance_migration_migrated_by_id_app_user')),
    sa.ForeignKeyConstraint(['rolled_back_by_id'], ['app_user.id'], name=op.f('fk_instance_migration_rolled_back_by_id_app_user')),
    sa.ForeignKeyConstraint(['to_deployment_id'], ['deployment.id'], name=op.f('fk_instance_migration_to_deployment_id_deployment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_migration'))
    )
    with op.batch_alter_table('instance_migration', schema=None) as batch_op:
        batch_op.create_index('ix_instance_migration_batch', ['batch'], unique=False)
        batch_op.create_index('ix_instance_migration_instance', ['instance_id', 'migrated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('instance_migration', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_migration_instance')
        batch_op.drop_index('ix_instance_migration_batch')

    op.drop_table('instance_migration')
    with op.batch_alter_table('process_draft', schema=None) as batch_op:
        batch_op.drop_index('ix_process_draft_process')

    op.drop_table('process_draft')
