"""Feeds: personal feed tokens

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_feed_tokens_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('digest', name=op.f('uq_feed_tokens_digest')),
    sa.UniqueConstraint('person_id', name=op.f('uq_feed_tokens_person_id'))
    )


def downgrade():
    # Everyone's feed URLs stop working; people make new ones on /feeds after upgrading again.
    op.drop_table('feed_tokens')
