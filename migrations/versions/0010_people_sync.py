"""HR system sync: SCIM external ids and people imports from the web

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and a unique index, never a batch copy of `people` (see 0002): a copy
    # cannot be dropped on SQLite while other tables' foreign keys point at it.
    op.add_column('people', sa.Column('external_id', sa.String(length=255), nullable=True))
    op.add_column('people', sa.Column('deprovisioned_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_people_external_id'), 'people', ['external_id'], unique=True)

    op.create_table('people_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('deactivate_missing', sa.Boolean(), nullable=False),
    sa.Column('invite', sa.Boolean(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['people.id'], name=op.f('fk_people_imports_applied_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['people.id'], name=op.f('fk_people_imports_uploaded_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_imports'))
    )
    with op.batch_alter_table('people_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_imports_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('people_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_imports_created_at'))

    op.drop_table('people_imports')
    op.drop_index(op.f('ix_people_external_id'), table_name='people')
    # SQLite 3.35+ drops a plain column in place.
    op.drop_column('people', 'deprovisioned_at')
    op.drop_column('people', 'external_id')
