"""Departments serving further units: department_unit (department, org unit)

A department keeps its home unit (department.org_unit_id); each row here is one more unit
it serves, found by lane resolution for cases at that unit or below.

Revision ID: 0021
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('department_unit',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('department_id', 'org_unit_id')
    )
    with op.batch_alter_table('department_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_unit_org_unit_id'), ['org_unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('department_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_unit_org_unit_id'))
    op.drop_table('department_unit')
