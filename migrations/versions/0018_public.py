"""Phones and the public: notifications, SMS code challenges, the public rate-limit ledger, ratings

notification: every message sent to a person (the null notifier only writes here; the SMS
gateway notifier also queues an outbox row). public_sms_challenge: hashed SMS codes.
public_rate_event: attempts at public forms, counted across workers. satisfaction_rating:
one rating per case (满意率 = satisfied + basically_satisfied over rated).
grid_report_capture: the grid worker app's GPS position and photo of a report.

Revision ID: 0018
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grid_report_capture',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('accuracy_m', sa.Double(), nullable=True),
    sa.Column('captured_at', sa.DateTime(), nullable=True),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['grid_report.id'], name=op.f('fk_grid_report_capture_report_id_grid_report')),
    sa.ForeignKeyConstraint(['reporter_id'], ['app_user.id'], name=op.f('fk_grid_report_capture_reporter_id_app_user')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_grid_report_capture'))
    )
    op.create_table('public_rate_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('bucket', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_rate_event'))
    )
    with op.batch_alter_table('public_rate_event', schema=None) as batch_op:
        batch_op.create_index('ix_public_rate_event_bucket', ['action', 'bucket', 'at'], unique=False)

    op.create_table('public_sms_challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_sms_challenge')),
    sa.UniqueConstraint('token', name=op.f('uq_public_sms_challenge_token'))
    )
    with op.batch_alter_table('public_sms_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_sms_challenge_phone'), ['phone'], unique=False)

    op.create_table('satisfaction_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', name='satisfaction', native_enum=False, length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=False),
    sa.Column('review_instance_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_satisfaction_rating_case_id_dispute_case')),
    sa.ForeignKeyConstraint(['review_instance_id'], ['process_instance.id'], name=op.f('fk_satisfaction_rating_review_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_rating')),
    sa.UniqueConstraint('case_id', name=op.f('uq_satisfaction_rating_case_id'))
    )
    with op.batch_alter_table('satisfaction_rating', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_rating_rated_at', ['rated_at'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ref', sa.String(length=128), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('transport', sa.String(length=16), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_notification_case_id_dispute_case')),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_notification_outbox_message_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('ref', name=op.f('uq_notification_ref'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_recipient'), ['recipient'], unique=False)



def downgrade():
    op.drop_table('grid_report_capture')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_recipient'))
        batch_op.drop_index('ix_notification_created')

    op.drop_table('notification')
    with op.batch_alter_table('satisfaction_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_satisfaction_rating_rated_at')

    op.drop_table('satisfaction_rating')
    with op.batch_alter_table('public_sms_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_sms_challenge_phone'))

    op.drop_table('public_sms_challenge')
    with op.batch_alter_table('public_rate_event', schema=None) as batch_op:
        batch_op.drop_index('ix_public_rate_event_bucket')

    op.drop_table('public_rate_event')
