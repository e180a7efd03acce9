"""In a workspace that installed the app through OAuth (not Enterprise Grid), "/narrate schedule"
is confirmed at once. The confirmation depends on which scopes the workspace's token holds, and
looking the token up opens a transaction of its own: asked while the command's transaction (which
has just inserted the schedule) was still open, that second BEGIN IMMEDIATE waited on SQLite for
the first one's write lock, which waited for it, and the command failed after the busy timeout."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from narrate_bot.storage.schedule_tables import Schedule
from tests.adapters.slack.conftest import signed_headers, until
from tests.adapters.slack.test_oauth import install_t9, oauth_app  # noqa: F401 - the fixture

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


async def test_scheduling_a_prompt_in_an_oauth_workspace_is_confirmed_promptly(
    oauth_app,  # noqa: F811 - the fixture imported above
    fake,
    db,
):
    adapter, http, base = oauth_app
    await install_t9(http, base, fake)
    fake.channels["C9"] = {"id": "C9", "name": "team"}
    body = urlencode(
        {
            "command": "/narrate",
            "text": "schedule #team daily 09:30 UTC",
            "team_id": "T9",
            "user_id": "U9",
            "channel_id": "C9",
            "channel_name": "team",
            "response_url": fake.response_url(),
            "trigger_id": "t",
        }
    )
    started = time.monotonic()
    async with http.post(
        f"{base}/slack/events",
        data=body,
        headers=signed_headers(body, "application/x-www-form-urlencoded"),
    ) as r:
        assert r.status == 200
    await until(lambda: fake.responses or fake.called("chat.postEphemeral"), timeout=30)
    took = time.monotonic() - started
    said = [str(r.get("text")) for r in fake.responses] + [
        str(c.params.get("text")) for c in fake.called("chat.postEphemeral")
    ]
    async with db.transaction() as s:
        stored = (await s.exec(select(Schedule))).all()
    assert took < 5, f"took {took:.1f}s; said {said}; schedules stored: {len(stored)}"
    assert any("Scheduled #1" in t for t in said), said
