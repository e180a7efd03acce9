"""Slack Connect: a member of another company's workspace is an outsider here.

Slack marks someone from another organisation ``is_stranger`` only while they share no channel
the app can see; in a shared channel they carry no guest flag, just their own ``team_id``. They
must not read what the workspace's people narrated, while a colleague from another workspace of
the same Grid org still may.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import FakeSlack

INTERNAL = "debugging the kafka consumer lag on the internal billing cluster"


class GridFake(FakeSlack):
    """A workspace of the Grid org ``E1``: auth.test says so, as Slack's does."""

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = dict(super()._answer(method, params))
        if method == "auth.test":
            answer["enterprise_id"] = "E1"
        return answer


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await GridFake().start()
    yield server
    await server.stop()


async def _shared_channel_with(slack: SlackEnv, user: dict[str, Any]) -> None:
    slack.fake.channels["C1"] = {"id": "C1", "name": "general"}
    slack.fake.channels["C7"] = {
        "id": "C7",
        "name": "partner-globex",
        "is_ext_shared": True,
        "is_shared": True,
    }
    slack.fake.members["C7"] = ["UBOT", "U1", user["id"]]
    slack.fake.users[user["id"]] = user
    await slack.command(INTERNAL, user="U1")
    await until(lambda: slack.fake.responses)


async def _asks_in_shared_channel(slack: SlackEnv, user_id: str, team: str | None) -> str:
    mention: dict[str, Any] = {
        "type": "app_mention",
        "user": user_id,
        "text": "<@UBOT> who knows about kafka?",
        "ts": "1763800000.000100",
        "channel": "C7",
    }
    if team:
        mention |= {"user_team": team, "source_team": team}
    await slack.event(mention, f"Ev-{user_id}")
    sent = lambda: slack.fake.called("chat.postEphemeral") + slack.fake.called("chat.postMessage")  # noqa: E731
    await until(lambda: bool(sent()))
    await asyncio.sleep(0.2)
    return " ".join(str(call.params.get("text", "")) for call in sent())


async def test_a_slack_connect_member_gets_no_internal_evidence(slack):
    await _shared_channel_with(
        slack,
        {
            "id": "UEXT",
            "name": "eve",
            "team_id": "TOTHER",
            "profile": {"display_name": "eve (Globex)", "team": "TOTHER"},
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_admin": True,  # Globex's admin, not ours
        },
    )
    answer = await _asks_in_shared_channel(slack, "UEXT", "TOTHER")
    assert "internal billing cluster" not in answer
    assert "members only" in answer


async def test_the_event_team_alone_marks_an_outsider(slack):
    # users.info said nothing about their team; the event's user_team still tells.
    await _shared_channel_with(slack, {"id": "UEXT2", "name": "zed"})
    answer = await _asks_in_shared_channel(slack, "UEXT2", "TOTHER")
    assert "internal billing cluster" not in answer
    assert "members only" in answer


async def test_a_colleague_from_another_workspace_of_the_org_is_answered(slack):
    await _shared_channel_with(
        slack,
        {
            "id": "UGRID",
            "name": "gil",
            "team_id": "T2",
            "enterprise_user": {"enterprise_id": "E1", "teams": ["T2"]},
        },
    )
    answer = await _asks_in_shared_channel(slack, "UGRID", "T2")
    assert "internal billing cluster" in answer


async def test_another_orgs_grid_member_is_an_outsider(slack):
    await _shared_channel_with(
        slack,
        {
            "id": "UOTHERGRID",
            "name": "ola",
            "team_id": "T9",
            "enterprise_user": {"enterprise_id": "E9", "teams": ["T9"]},
        },
    )
    answer = await _asks_in_shared_channel(slack, "UOTHERGRID", "T9")
    assert "internal billing cluster" not in answer
