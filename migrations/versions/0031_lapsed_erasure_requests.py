"""forget-me requests: an index on ``person.erase_requested_at`` to clear the lapsed ones

Revision ID: 0031_lapsed_erasure_requests
Revises: 0030_update_post_orphans
Create Date: 2026-11-24

An unconfirmed ``/narrate forget-me`` stores when it was asked, and the person has 10 minutes
to confirm. Nothing cleared it after that: the time of a request nobody confirmed was kept for
good (and never exported). Every scheduler wake-up now clears the lapsed ones
(``privacy.lapse_erasure_requests``), through this index: one probe when there are none, as
there almost always are. Requests that lapsed before this revision are cleared by the first
wake-up after it. Downgrading drops the index; the older code keeps lapsed requests again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031_lapsed_erasure_requests"
down_revision: str | None = "0030_update_post_orphans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_person_erase_requested_at", "person", ["erase_requested_at"])


def downgrade() -> None:
    """The older code never clears a lapsed request, and so needs no index to find them."""
    op.drop_index("ix_person_erase_requested_at", table_name="person")
