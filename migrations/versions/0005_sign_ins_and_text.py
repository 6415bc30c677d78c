"""Sign-ins kept on the server, and notification messages as text

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_sign_ins_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_ins_token_hash'))
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_person_id'), ['person_id'], unique=False)

    # Messages quote titles, names and notes of up to 2,000 characters: VARCHAR(300) was a 500
    # on PostgreSQL. Existing sessions (cookies naming a person, not a sign-in) end with this
    # upgrade, since no sign-in row matches them: everyone signs in once more.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('message', existing_type=sa.String(length=300), type_=sa.Text(),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        # Longer messages are cut, as the old column could not hold them.
        batch_op.alter_column('message', existing_type=sa.Text(), type_=sa.String(length=300),
                              existing_nullable=False, postgresql_using='left(message, 300)')
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_person_id'))
    op.drop_table('sign_ins')
