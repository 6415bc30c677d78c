"""Search: keep each story's tsvector inline on PostgreSQL

A search for a common word walks published stories newest first and tests each one's
search_vector until it has SEARCH_CANDIDATES matches. Stored the default way (EXTENDED), the
vector went out of line with the story's other long columns, so each test read it back from
the TOAST table: about five pages per story, 24 ms for "refund" at 100k stories. MAIN keeps it
in the row (compressed), and the long Markdown and HTML go out of line first: one page per
story, 9-11 ms. Rows written before this move as they are updated; `VACUUM FULL stories` moves
them all at once, in a quiet hour (it locks the table while it runs).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 21:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE stories ALTER COLUMN search_vector SET STORAGE MAIN')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE stories ALTER COLUMN search_vector SET STORAGE EXTENDED')
