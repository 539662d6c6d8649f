"""Users get a mobile phone (app_user.phone) for urgent-task SMS; public rate limits are
counted by an upsert on one row per bucket and window (public_rate_bucket replaces the
one-row-per-attempt public_rate_event, whose count-then-insert let racing requests pass)

Revision ID: 0027
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('app_user', sa.Column('phone', sa.String(length=11), nullable=True))
    op.create_table('public_rate_bucket',
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('bucket', sa.String(length=80), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('action', 'bucket', 'window_start', name=op.f('pk_public_rate_bucket'))
    )
    with op.batch_alter_table('public_rate_bucket', schema=None) as batch_op:
        batch_op.create_index('ix_public_rate_bucket_window_start', ['window_start'], unique=False)
    # Attempts are at most an hour's abuse guard: starting the new counts from zero is harmless.
    with op.batch_alter_table('public_rate_event', schema=None) as batch_op:
        batch_op.drop_index('ix_public_rate_event_bucket')
    op.drop_table('public_rate_event')


def downgrade():
    op.create_table('public_rate_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('bucket', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_rate_event'))
    )
    with op.batch_alter_table('public_rate_event', schema=None) as batch_op:
        batch_op.create_index('ix_public_rate_event_bucket', ['action', 'bucket', 'at'], unique=False)
    with op.batch_alter_table('public_rate_bucket', schema=None) as batch_op:
        batch_op.drop_index('ix_public_rate_bucket_window_start')
    op.drop_table('public_rate_bucket')
    op.drop_column('app_user', 'phone')
