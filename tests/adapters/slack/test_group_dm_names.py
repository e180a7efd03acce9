"""Slack names a group DM after its members' handles ("mpdm-alice.smith--bob.jones-1"). Kept as
the channel's name, a handle outlived its owner's forget-me: in the other members' exports and
as where answers' evidence was written. Every group DM is stored as "group DM" instead, however
Slack told us about it: a slash command's ``channel_name``, ``conversations.info``'s
``is_mpim`` or an event's ``channel_type`` "mpim"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from narrate_bot.storage.tables import Channel
from narrate_bot_adapters.slack.translate import GROUP_DM_NAME
from tests.adapters.slack.conftest import SlackEnv, eventually, until

GROUP_DM = "C05CUEZJ05C"  # a group DM has a C id, like a channel
HANDLES = "mpdm-alice.smith--bob.jones--carol.wu-1"
PEOPLE = {"UALICE": "alice.smith", "UBOB": "bob.jones", "UCAROL": "carol.wu"}


@pytest.fixture(params=["looked up", "lookup refused"])
def group_dm(request: pytest.FixtureRequest, slack: SlackEnv) -> SlackEnv:
    """The group DM as Slack describes it. The manifest doesn't ask for ``mpim:read``, so on a
    real workspace ``conversations.info`` refuses and only the command's ``channel_name`` says
    what it is; granted, the lookup says ``is_mpim`` and gives the same name."""
    for user, handle in PEOPLE.items():
        slack.fake.users[user] = {"id": user, "name": handle}
    slack.fake.channels[GROUP_DM] = {
        "id": GROUP_DM,
        "name": HANDLES,
        "is_mpim": True,
        "is_private": True,
    }
    slack.fake.members[GROUP_DM] = list(PEOPLE)
    if request.param == "looked up":
        slack.fake.default_scopes.add("mpim:read")
    return slack


async def _say(slack: SlackEnv, user: str, line: str, *, channel: str = "CGEN") -> str:
    before = len(slack.fake.responses)
    name = HANDLES if channel == GROUP_DM else "general"
    await slack.command(line, user=user, channel=channel, channel_name=name)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _rows_holding(slack: SlackEnv, needle: str) -> list[str]:
    """Every table and column whose stored text holds ``needle``."""
    found: list[str] = []
    async with slack.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for table in sorted(tables):
            result = await conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result.all():
                found += [
                    f"{table}.{column}"
                    for column, value in zip(columns, row, strict=True)
                    if isinstance(value, str | bytes)
                    and needle
                    in (value if isinstance(value, str) else value.decode(errors="ignore"))
                ]
    return found


async def _stored_name(slack: SlackEnv, channel_id: str) -> str:
    async with slack.db.transaction() as s:
        channel = (await s.exec(select(Channel).where(Channel.channel_id == channel_id))).one()
        return channel.name


async def test_after_forget_me_no_table_holds_the_handle_from_a_group_dm_name(group_dm):
    slack = group_dm
    assert "Noted" in await _say(slack, "UALICE", "kafka rebalancing notes", channel=GROUP_DM)
    assert "Noted" in await _say(slack, "UBOB", "kafka rebalancing done", channel=GROUP_DM)
    assert await _stored_name(slack, GROUP_DM) == GROUP_DM_NAME

    await _say(slack, "UALICE", "forget-me")
    assert "erased everything" in await _say(slack, "UALICE", "forget-me confirm")
    assert await _rows_holding(slack, "alice.smith") == []
    assert await _rows_holding(slack, "mpdm-") == []

    uploads = len(slack.fake.uploads)
    await _say(slack, "UBOB", "export")
    await until(lambda: len(slack.fake.uploads) > uploads)
    exported = json.loads(slack.fake.uploads[-1])
    assert {"id": GROUP_DM, "name": GROUP_DM_NAME, "kind": "private"} in exported[
        "channel_memberships"
    ]
    assert b"alice.smith" not in slack.fake.uploads[-1]


# Refused, Slack won't list the members either, so no one else may read what was written there.
@pytest.mark.parametrize("group_dm", ["looked up"], indirect=True)
async def test_evidence_from_a_group_dm_is_shown_under_the_neutral_name(group_dm):
    slack = group_dm
    await _say(slack, "UCAROL", "zanzibar ledger rounding fix shipped", channel=GROUP_DM)

    answer = await _say(slack, "UBOB", "who zanzibar")
    assert "zanzibar ledger" in answer
    assert "the group DM, private" in answer and "#group DM" not in answer
    assert "mpdm-" not in answer and "alice.smith" not in answer
    assert "zanzibar ledger" not in await _say(slack, "UZED", "who zanzibar")  # still private


async def test_an_event_from_a_group_dm_stores_the_neutral_name(slack):
    """An event says only ``channel_type`` "mpim"; when Slack won't describe the channel (no
    ``mpim:read``) that is all there is to name it by."""
    reply = {
        "type": "message",
        "channel_type": "mpim",
        "user": "UBOB",
        "text": "done with the kafka rebalancing",
        "ts": "1763800001.000100",
        "thread_ts": "1763800000.000100",
        "channel": GROUP_DM,
    }
    assert (await slack.event(reply, "Ev-mpim-thread"))[0] == 200

    async def stored() -> bool:
        async with slack.db.transaction() as s:
            found = (await s.exec(select(Channel).where(Channel.channel_id == GROUP_DM))).first()
            return found is not None

    await eventually(stored)
    assert await _stored_name(slack, GROUP_DM) == GROUP_DM_NAME


@pytest.mark.parametrize("group_dm", ["looked up"], indirect=True)
async def test_a_mention_in_a_group_dm_slack_describes_stores_the_neutral_name(group_dm):
    slack = group_dm
    mention = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOT> who knows about kafka?",
        "ts": "1763800000.000100",
        "channel": GROUP_DM,
    }
    assert (await slack.event(mention, "Ev-mpim-mention"))[0] == 200
    await until(
        lambda: slack.fake.called("chat.postEphemeral") or slack.fake.called("chat.postMessage")
    )

    async def stored() -> bool:
        async with slack.db.transaction() as s:
            found = (await s.exec(select(Channel).where(Channel.channel_id == GROUP_DM))).first()
            return found is not None

    await eventually(stored)
    assert await _rows_holding(slack, "mpdm-") == []
