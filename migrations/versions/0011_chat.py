"""Chat: outgoing webhooks, their deliveries, Slack accounts and seen requests

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('slack_requests_seen',
    sa.Column('signature', sa.String(length=80), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('signature', name=op.f('pk_slack_requests_seen'))
    )
    with op.batch_alter_table('slack_requests_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_requests_seen_seen_at'), ['seen_at'], unique=False)

    op.create_table('chat_webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('on_story_published', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('on_digest_issue', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_chat_webhooks_created_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_webhooks'))
    )
    op.create_table('slack_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_slack_accounts_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slack_accounts')),
    sa.UniqueConstraint('team_id', 'user_id', name='uq_slack_accounts_team_user')
    )
    with op.batch_alter_table('slack_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_accounts_person_id'), ['person_id'], unique=False)

    op.create_table('chat_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('event_key', sa.String(length=40), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('issue_id', sa.Integer(), nullable=True),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['digest_issues.id'], name=op.f('fk_chat_deliveries_issue_id_digest_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_chat_deliveries_story_id_stories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['webhook_id'], ['chat_webhooks.id'], name=op.f('fk_chat_deliveries_webhook_id_chat_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_deliveries')),
    sa.UniqueConstraint('uuid', name=op.f('uq_chat_deliveries_uuid')),
    sa.UniqueConstraint('webhook_id', 'event', 'event_key', name='uq_chat_deliveries_event')
    )
    with op.batch_alter_table('chat_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_chat_deliveries_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_chat_deliveries_issue_id'), ['issue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chat_deliveries_story_id'), ['story_id'], unique=False)
        batch_op.create_index('ix_chat_deliveries_webhook_created', ['webhook_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('chat_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_deliveries_webhook_created')
        batch_op.drop_index(batch_op.f('ix_chat_deliveries_story_id'))
        batch_op.drop_index(batch_op.f('ix_chat_deliveries_issue_id'))
        batch_op.drop_index('ix_chat_deliveries_due')

    op.drop_table('chat_deliveries')
    with op.batch_alter_table('slack_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_accounts_person_id'))

    op.drop_table('slack_accounts')
    op.drop_table('chat_webhooks')
    with op.batch_alter_table('slack_requests_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_requests_seen_seen_at'))

    op.drop_table('slack_requests_seen')
