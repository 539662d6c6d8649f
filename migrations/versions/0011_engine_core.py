"""instance_finding: problems `flask doctor` found on process instances

The consistency check (instance state vs task rows vs timers vs subscriptions) writes
what it finds here; the center coordinator sees the rows in the bell, `/readyz` counts
them, and a later check that finds the instance healthy deletes its rows.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'instance_finding',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('problem', sa.Enum('stuck', 'tasks_differ', 'timer_differs', 'messages_differ',
                                     'finished_unmarked', 'open_task_closed', 'unreadable',
                                     name='finding_problem', native_enum=False, length=32),
                  nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.Column('business_key', sa.String(length=64), nullable=False),
        sa.Column('process_id', sa.String(length=128), nullable=False),
        sa.Column('org_unit_id', sa.Integer(), nullable=True),
        sa.Column('found_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_instance_finding_instance_id_process_instance')),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'],
                                name=op.f('fk_instance_finding_org_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('instance_id', 'problem', name=op.f('pk_instance_finding')),
    )
    op.create_index(op.f('ix_instance_finding_found_at'), 'instance_finding', ['found_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_instance_finding_found_at'), table_name='instance_finding')
    op.drop_table('instance_finding')
