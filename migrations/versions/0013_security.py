"""Sessions that can be ended server-side, and failed sign-ins for throttling

app_user.session_version: every session cookie carries the version it was issued under;
sign-out and a password change bump it, so copied cookies stop working.
login_failure: refused sign-ins by account name and client address, shared by all worker
processes (the throttle counts them over the last 15 minutes).

Revision ID: 0013
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure')),
    )
    op.create_index('ix_login_failure_account_at', 'login_failure', ['account', 'at'])
    op.create_index('ix_login_failure_address_at', 'login_failure', ['address', 'at'])
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'])


def downgrade():
    op.drop_table('login_failure')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('session_version')
