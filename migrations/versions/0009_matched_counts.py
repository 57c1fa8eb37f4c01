"""matched notifications kept as a count per institution and matching method

Revision ID: 0009_matched_counts
Revises: 0008_regulator
Create Date: 2026-11-22 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_matched_counts'
down_revision = '0008_regulator'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reconciliation_finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notifications', sa.Integer(), nullable=True))
    # Matched findings were one per notification; they are now one per institution and
    # matching method, written by the next reconciliation. The old rows would read as
    # matches of one notification each, so they go (institutions never respond to them).
    _delete_matched()


def _delete_matched():
    # The owner is subject to row-level security too (FORCE); the environment forces it
    # again after every upgrade (lekwijzer.dbsecurity.apply).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reconciliation_finding NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM reconciliation_finding WHERE kind = 'matched'")


def downgrade():
    _delete_matched()
    with op.batch_alter_table('reconciliation_finding', schema=None) as batch_op:
        batch_op.drop_column('notifications')
