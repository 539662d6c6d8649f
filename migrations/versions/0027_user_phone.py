"""Users get a mobile phone number (app_user.phone) for urgent-task SMS

Revision ID: 0027
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('app_user', sa.Column('phone', sa.String(length=11), nullable=True))


def downgrade():
    op.drop_column('app_user', 'phone')
