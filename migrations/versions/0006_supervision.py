"""supervision: deadline policies and notices, supervision orders (督办单), report snapshots and issued reports

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deadline_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=128), nullable=False),
    sa.Column('bpmn_id', sa.String(length=128), nullable=False),
    sa.Column('warn_share', sa.Numeric(precision=4, scale=3), nullable=False),
    sa.Column('chase_after_working_days', sa.Integer(), nullable=True),
    sa.Column('supervise_after_working_days', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_policy')),
    sa.UniqueConstraint('process_id', 'bpmn_id', name='uq_deadline_policy_process_id')
    )
    op.create_table('issued_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('recommendations', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('issued_by_label', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['app_user.id'], name=op.f('fk_issued_report_issued_by_id_app_user')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_issued_report_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_report')),
    sa.UniqueConstraint('kind', 'org_unit_id', 'period_start', name='uq_issued_report_kind')
    )
    op.create_index('ix_issued_report_unit', 'issued_report', ['org_unit_id', 'issued_at'], unique=False)
    op.create_table('report_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_report_snapshot_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshot')),
    sa.UniqueConstraint('kind', 'org_unit_id', 'period_start', name='uq_report_snapshot_kind')
    )
    op.create_index('ix_report_snapshot_unit', 'report_snapshot', ['org_unit_id', 'kind', 'period_start'], unique=False)
    op.create_table('deadline_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.Enum('warning', 'chase', 'supervision', name='notice_kind', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('business_key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('overdue_working_days', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('candidate_department_id', sa.Integer(), nullable=True),
    sa.Column('candidate_org_unit_id', sa.Integer(), nullable=True),
    sa.Column('candidate_role', sa.Enum('window_clerk', 'handler', 'mediator', 'grid_worker', 'center_coordinator', 'supervisor', 'process_designer', 'admin', name='member_role', native_enum=False, length=32), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], name=op.f('fk_deadline_notice_assignee_id_app_user')),
    sa.ForeignKeyConstraint(['candidate_department_id'], ['department.id'], name=op.f('fk_deadline_notice_candidate_department_id_department')),
    sa.ForeignKeyConstraint(['candidate_org_unit_id'], ['org_unit.id'], name=op.f('fk_deadline_notice_candidate_org_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_deadline_notice_org_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_deadline_notice_task_id_human_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_notice')),
    sa.UniqueConstraint('task_id', 'kind', name='uq_deadline_notice_task_id')
    )
    op.create_index('ix_deadline_notice_assignee', 'deadline_notice', ['assignee_id', 'created_at'], unique=False)
    op.create_index('ix_deadline_notice_created', 'deadline_notice', ['created_at'], unique=False)
    op.create_index('ix_deadline_notice_dept', 'deadline_notice', ['candidate_department_id', 'created_at'], unique=False)
    op.create_index('ix_deadline_notice_kind_unit', 'deadline_notice', ['kind', 'org_unit_id', 'created_at'], unique=False)
    op.create_index('ix_deadline_notice_unit', 'deadline_notice', ['candidate_org_unit_id', 'candidate_role', 'created_at'], unique=False)
    op.create_table('supervision_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('business_key', sa.String(length=64), nullable=False),
    sa.Column('task_title', sa.String(length=255), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('overdue_working_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('issuing', 'explaining', 'reviewing', 'closed', 'failed', name='order_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_supervision_order_department_id_department')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_supervision_order_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_supervision_order_org_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_supervision_order_task_id_human_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_order')),
    sa.UniqueConstraint('task_id', name='uq_supervision_order_task_id')
    )
    op.create_index(op.f('ix_supervision_order_business_key'), 'supervision_order', ['business_key'], unique=False)
    op.create_index(op.f('ix_supervision_order_instance_id'), 'supervision_order', ['instance_id'], unique=False)
    op.create_index('ix_supervision_order_unit', 'supervision_order', ['org_unit_id', 'status', 'created_at'], unique=False)
    with op.batch_alter_table('dispute_case', schema=None) as batch_op:
        batch_op.create_index('ix_dispute_case_received_at', ['received_at', 'org_unit_id'], unique=False)
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_completed', ['state', 'completed_at'], unique=False)
    _immutable_issued_reports()


def _immutable_issued_reports():
    """Issued reports are a record: refuse UPDATE and DELETE (TRUNCATE by an operator still works)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION issued_report_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'issued_report is immutable';
            END;
            $$ LANGUAGE plpgsql;
        """)
        op.execute("""
            CREATE TRIGGER issued_report_no_change BEFORE UPDATE OR DELETE ON issued_report
            FOR EACH ROW EXECUTE FUNCTION issued_report_immutable();
        """)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER issued_report_no_{verb.lower()} BEFORE {verb} ON issued_report
                BEGIN SELECT RAISE(ABORT, 'issued_report is immutable'); END;
            """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS issued_report_no_change ON issued_report")
        op.execute("DROP FUNCTION IF EXISTS issued_report_immutable()")
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_completed')
    with op.batch_alter_table('dispute_case', schema=None) as batch_op:
        batch_op.drop_index('ix_dispute_case_received_at')
    op.drop_index('ix_supervision_order_unit', table_name='supervision_order')
    op.drop_index(op.f('ix_supervision_order_instance_id'), table_name='supervision_order')
    op.drop_index(op.f('ix_supervision_order_business_key'), table_name='supervision_order')
    op.drop_table('supervision_order')
    op.drop_index('ix_deadline_notice_unit', table_name='deadline_notice')
    op.drop_index('ix_deadline_notice_kind_unit', table_name='deadline_notice')
    op.drop_index('ix_deadline_notice_dept', table_name='deadline_notice')
    op.drop_index('ix_deadline_notice_created', table_name='deadline_notice')
    op.drop_index('ix_deadline_notice_assignee', table_name='deadline_notice')
    op.drop_table('deadline_notice')
    op.drop_index('ix_report_snapshot_unit', table_name='report_snapshot')
    op.drop_table('report_snapshot')
    op.drop_index('ix_issued_report_unit', table_name='issued_report')
    op.drop_table('issued_report')
    op.drop_table('deadline_policy')
