"""Admin area: retired org units, 轮驻 stationing periods, forced password change, password history

Revision ID: 0015
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('org_unit') as batch:
        batch.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'stationing_period',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('department_id', sa.Integer(), sa.ForeignKey('department.id'), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
    )
    op.create_index('ix_stationing_period_department_id', 'stationing_period', ['department_id'])
    op.create_table(
        'password_history',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('app_user.id'), nullable=False),
        sa.Column('password_hash', sa.String(255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_password_history_user_id', 'password_history', ['user_id'])


def downgrade():
    op.drop_index('ix_password_history_user_id', 'password_history')
    op.drop_table('password_history')
    op.drop_index('ix_stationing_period_department_id', 'stationing_period')
    op.drop_table('stationing_period')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('password_changed_at')
        batch.drop_column('must_change_password')
    with op.batch_alter_table('org_unit') as batch:
        batch.drop_column('retired_at')
