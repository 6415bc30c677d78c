"""Digest issues, their stories, deliveries, curator holdbacks, and bounce scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digest_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_key', sa.String(length=10), nullable=False),
    sa.Column('cut_at', sa.DateTime(), nullable=False),
    sa.Column('monthly', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_issues')),
    sa.UniqueConstraint('issue_key', name=op.f('uq_digest_issues_issue_key'))
    )
    with op.batch_alter_table('digest_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_issues_cut_at'), ['cut_at'], unique=False)

    op.create_table('digest_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('smtp_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['digest_issues.id'], name=op.f('fk_digest_deliveries_issue_id_digest_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_digest_deliveries_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_deliveries')),
    sa.UniqueConstraint('issue_id', 'person_id', name='uq_digest_deliveries_issue_person')
    )
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_digest_deliveries_claim', ['issue_id', 'status', 'next_attempt_at', 'id'], unique=False)
        batch_op.create_index('ix_digest_deliveries_person_status', ['person_id', 'status'], unique=False)

    op.create_table('digest_holdbacks',
    sa.Column('issue_key', sa.String(length=10), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('held_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['held_by_id'], ['people.id'], name=op.f('fk_digest_holdbacks_held_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_digest_holdbacks_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_key', 'story_id', name=op.f('pk_digest_holdbacks'))
    )
    op.create_table('digest_issue_stories',
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['digest_issues.id'], name=op.f('fk_digest_issue_stories_issue_id_digest_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_digest_issue_stories_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_id', 'story_id', name=op.f('pk_digest_issue_stories'))
    )
    with op.batch_alter_table('digest_issue_stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_issue_stories_story_id'), ['story_id'], unique=False)

    # Plain ADD COLUMN with a server default, as in 0003: nobody has bounced yet.
    op.add_column('people', sa.Column('bounce_score', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    op.drop_column('people', 'bounce_score')

    with op.batch_alter_table('digest_issue_stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_issue_stories_story_id'))

    op.drop_table('digest_issue_stories')
    op.drop_table('digest_holdbacks')
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_deliveries_person_status')
        batch_op.drop_index('ix_digest_deliveries_claim')

    op.drop_table('digest_deliveries')
    with op.batch_alter_table('digest_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_issues_cut_at'))

    op.drop_table('digest_issues')
