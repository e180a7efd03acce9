"""A command from an OAuth-installed workspace is answered while another connection writes.

Before Bolt acks a request it looks up the workspace's bot token (remembered for a few minutes,
then read again). That read took the installation row's lock in a transaction, which on SQLite
began ``BEGIN IMMEDIATE``: with another writer at work (a forget-me's scrub, the weekly
introductions, another replica) every request whose token was due to be read again waited, and
past the busy timeout Slack was answered 503 and the person saw the command fail. A token that
needs no rotation is now read in a snapshot; rotation still takes the lock (tests/test_oauth.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp
import pytest

from tests.adapters.slack.conftest import signed_headers, until
from tests.adapters.slack.test_oauth import install_t9, oauth_app  # noqa: F401 - the fixture
from tests.held_lock import another_writer, short_busy_timeout

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


async def _command(http: aiohttp.ClientSession, base: str, fake, text: str) -> tuple[int, str]:
    """Send ``/narrate <text>`` as U9 in #team; the HTTP status and what U9 was told."""
    before = len(fake.responses) + len(fake.called("chat.postEphemeral"))
    body = urlencode(
        {
            "command": "/narrate",
            "text": text,
            "team_id": "T9",
            "user_id": "U9",
            "channel_id": "C9",
            "channel_name": "team",
            "response_url": fake.response_url(),
            "trigger_id": "t",
        }
    )
    async with http.post(
        f"{base}/slack/events",
        data=body,
        headers=signed_headers(body, "application/x-www-form-urlencoded"),
    ) as r:
        status = r.status
    if status != 200:
        return status, ""

    def said() -> list[str]:
        return [str(r.get("text")) for r in fake.responses] + [
            str(c.params.get("text")) for c in fake.called("chat.postEphemeral")
        ]

    await until(lambda: len(said()) > before, timeout=30)
    return status, said()[-1]


async def test_a_question_is_answered_while_another_connection_writes(
    oauth_app,  # noqa: F811 - the fixture imported above
    fake,
    db,
    monkeypatch: pytest.MonkeyPatch,
):
    adapter, http, base = oauth_app
    await install_t9(http, base, fake)
    fake.channels["C9"] = {"id": "C9", "name": "team"}
    status, noted = await _command(http, base, fake, "tuned the vault key rotation")
    assert status == 200 and "Noted as #1" in noted, noted
    await short_busy_timeout(db, monkeypatch)
    assert adapter.authorize is not None
    adapter.authorize.forget(None, "T9")  # its few minutes are over: the token is read again

    with another_writer(db):
        status, answer = await _command(http, base, fake, "mine")

    assert status == 200, "the request failed before its ack"
    assert "vault key rotation" in answer, answer
