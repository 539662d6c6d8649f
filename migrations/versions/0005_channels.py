"""channels: API keys, inbound orders (12345, grid reports, referrals) and the outbox

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('org_unit_ids', sa.JSON(), nullable=False),
    sa.Column('rate_limit', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    op.create_table('api_rate_window',
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['api_key.id'], name=op.f('fk_api_rate_window_key_id_api_key')),
    sa.PrimaryKeyConstraint('key_id', 'window_start', name=op.f('pk_api_rate_window'))
    )
    op.create_table('personal_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_personal_token_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_personal_token_token_hash'))
    )
    with op.batch_alter_table('personal_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_token_user_id'), ['user_id'], unique=False)

    op.create_table('case_duplicate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('flagged_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_case_duplicate_case_id_dispute_case')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_case_duplicate_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['dispute_case.id'], name=op.f('fk_case_duplicate_duplicate_of_id_dispute_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_duplicate')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_duplicate_case_id'))
    )
    with op.batch_alter_table('case_duplicate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_duplicate_duplicate_of_id'), ['duplicate_of_id'], unique=False)

    op.create_table('grid_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('reporter', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_grid_report_case_id_dispute_case')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_grid_report_department_id_department')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_grid_report_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_report')),
    sa.UniqueConstraint('external_id', name=op.f('uq_grid_report_external_id'))
    )
    with op.batch_alter_table('grid_report', schema=None) as batch_op:
        batch_op.create_index('ix_grid_report_unit_kind', ['org_unit_id', 'kind', 'received_at'], unique=False)

    op.create_table('hotline_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('dispatch_no', sa.Integer(), nullable=False),
    sa.Column('business_key', sa.String(length=64), nullable=False),
    sa.Column('order_type', sa.String(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('is_dispute', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('intake', sa.JSON(), nullable=True),
    sa.Column('dispute_result', sa.String(length=16), nullable=True),
    sa.Column('satisfaction', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_hotline_order_case_id_dispute_case')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_hotline_order_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_hotline_order_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_order')),
    sa.UniqueConstraint('business_key', name=op.f('uq_hotline_order_business_key')),
    sa.UniqueConstraint('order_id', 'dispatch_no', name='uq_hotline_order_dispatch')
    )
    with op.batch_alter_table('hotline_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotline_order_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_order_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotline_order_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_outbox_message_case_id_dispute_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_message_idempotency_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['delivered_at', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_ref'), ['ref'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('result_sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_referral_case_id_dispute_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('case_id', name=op.f('uq_referral_case_id')),
    sa.UniqueConstraint('kind', 'source_ref', name='uq_referral_kind_source_ref')
    )


def downgrade():
    op.drop_table('referral')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_ref'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('hotline_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotline_order_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hotline_order_order_id'))
        batch_op.drop_index(batch_op.f('ix_hotline_order_case_id'))

    op.drop_table('hotline_order')
    with op.batch_alter_table('grid_report', schema=None) as batch_op:
        batch_op.drop_index('ix_grid_report_unit_kind')

    op.drop_table('grid_report')
    with op.batch_alter_table('case_duplicate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_duplicate_duplicate_of_id'))

    op.drop_table('case_duplicate')
    with op.batch_alter_table('personal_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_token_user_id'))

    op.drop_table('personal_token')
    op.drop_table('api_rate_window')
    op.drop_table('api_key')
