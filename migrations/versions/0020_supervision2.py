"""risk_warning: the coordinator's handling — acknowledged (who, when), closed (who, when, note)

Revision ID: 0020
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_warning') as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_risk_warning_acknowledged_by_id_app_user', 'app_user',
                                    ['acknowledged_by_id'], ['id'])
        batch_op.create_foreign_key('fk_risk_warning_closed_by_id_app_user', 'app_user',
                                    ['closed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('risk_warning') as batch_op:
        batch_op.drop_constraint('fk_risk_warning_closed_by_id_app_user', type_='foreignkey')
        batch_op.drop_constraint('fk_risk_warning_acknowledged_by_id_app_user', type_='foreignkey')
        for column in ('note', 'closed_by_id', 'closed_at', 'acknowledged_by_id', 'acknowledged_at'):
            batch_op.drop_column(column)
