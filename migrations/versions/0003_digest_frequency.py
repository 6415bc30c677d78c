"""Digest frequency per person

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with a server default, so existing people get the weekly digest.
    op.add_column('people', sa.Column('digest_frequency', sa.String(length=16), nullable=False, server_default='weekly'))


def downgrade():
    # SQLite 3.35+ drops a plain column in place.
    op.drop_column('people', 'digest_frequency')
