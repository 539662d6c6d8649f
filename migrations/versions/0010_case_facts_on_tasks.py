"""human_task: copies of the case facts the inbox and overdue list filter on; search indexes

The inbox filters (category, risk tier, channel, level) and the overdue list (the case's org
unit and the same filters) select tasks by facts of their case. With copies on the task row
they count and page over human_task alone instead of joining dispute_case for every task.
app.cases keeps the copies in step. Also: human_task.business_key (tasks of a case),
case_party.name (search by party name).

Existing rows are filled from their case (tasks without a case keep NULLs).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FACTS = {'case_org_unit_id': 'org_unit_id', 'case_category': 'category', 'case_risk_tier': 'risk_tier',
         'case_channel': 'channel', 'case_level': 'level'}


def _fill():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('UPDATE human_task AS t SET ' + ', '.join(f'{task} = c.{case}' for task, case in FACTS.items())
                   + ' FROM dispute_case AS c WHERE c.code = t.business_key')
    else:
        columns = ', '.join(FACTS)
        values = ', '.join(f'c.{case}' for case in FACTS.values())
        op.execute(f'UPDATE human_task SET ({columns}) = (SELECT {values} FROM dispute_case AS c '
                   'WHERE c.code = human_task.business_key) '
                   'WHERE business_key IN (SELECT code FROM dispute_case)')


def upgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('case_org_unit_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('case_category', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('case_risk_tier', sa.Enum('red', 'orange', 'yellow', 'blue', name='risk_tier',
                                                             native_enum=False, length=32), nullable=True))
        batch.add_column(sa.Column('case_channel', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('case_level', sa.String(length=64), nullable=True))
    _fill()  # before the foreign key and the indexes: one check and one index build, not one per row
    with op.batch_alter_table('human_task') as batch:
        batch.create_foreign_key(batch.f('fk_human_task_case_org_unit_id_org_unit'), 'org_unit',
                                 ['case_org_unit_id'], ['id'])
        batch.create_index('ix_human_task_business_key', ['business_key'], unique=False)
        batch.create_index('ix_human_task_due_case_unit', ['state', 'due_at', 'case_org_unit_id'], unique=False)
        batch.create_index('ix_human_task_done_facts', ['completed_by_id', 'case_category', 'case_risk_tier',
                                                        'case_channel', 'case_level'], unique=False)
    with op.batch_alter_table('case_party') as batch:
        batch.create_index(batch.f('ix_case_party_name'), ['name'], unique=False)


def downgrade():
    with op.batch_alter_table('case_party') as batch:
        batch.drop_index(batch.f('ix_case_party_name'))
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_human_task_done_facts')
        batch.drop_index('ix_human_task_due_case_unit')
        batch.drop_index('ix_human_task_business_key')
        batch.drop_constraint(batch.f('fk_human_task_case_org_unit_id_org_unit'), type_='foreignkey')
        batch.drop_column('case_level')
        batch.drop_column('case_channel')
        batch.drop_column('case_risk_tier')
        batch.drop_column('case_category')
        batch.drop_column('case_org_unit_id')
