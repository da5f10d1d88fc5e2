"""indexes the national benchmarks asked for

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

People who can be told about a place are found by the codes of the areas it lies in
(`role_assignment.scope_code IN (...)`): without an index every submission, notice and plan read every role of the
deployment (97,000 at the national size).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_role_assignment_scope_code"), "role_assignment", ["scope_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_role_assignment_scope_code"), table_name="role_assignment")
