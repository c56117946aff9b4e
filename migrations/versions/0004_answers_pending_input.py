"""questionnaire answers: keep what was typed but is not valid yet, so nothing typed is lost

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_input', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('answer_sets', schema=None) as batch_op:
        batch_op.drop_column('pending_input')
