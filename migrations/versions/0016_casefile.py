"""dispute_case.amount may be blank: a case registered without an amount is not a case of 0.00 元

Revision ID: 0016
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dispute_case') as batch_op:
        batch_op.alter_column('amount', existing_type=sa.Numeric(14, 2), nullable=True)


def downgrade():
    op.execute("UPDATE dispute_case SET amount = 0 WHERE amount IS NULL")
    with op.batch_alter_table('dispute_case') as batch_op:
        batch_op.alter_column('amount', existing_type=sa.Numeric(14, 2), nullable=False)
