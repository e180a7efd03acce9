"""A channel's kind decides who may read its narrations, so the Slack app never takes "public"
from a payload's hint: group DMs and Slack Connect channels both arrive looking public."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Channel, ChannelMember
from tests.adapters.slack.conftest import SlackEnv, eventually, until

GROUP_DM = "C05CUEZJ05C"  # Slack gives a group DM a C id and an "mpdm-" name in slash commands


async def _answer(slack: SlackEnv, user: str, question: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(question, user=user, channel="CGEN", channel_name="general")
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _channel(slack: SlackEnv, channel_id: str) -> tuple[str, set[str]]:
    async with slack.db.transaction() as s:
        channel = (await s.exec(select(Channel).where(Channel.channel_id == channel_id))).one()
        readers = await s.exec(
            select(ChannelMember.user_id).where(ChannelMember.channel_pk == channel.id)
        )
        return channel.kind, set(readers.all())


async def test_a_narration_in_a_group_dm_reaches_only_the_people_in_it(slack):
    slack.fake.members[GROUP_DM] = ["UANN", "UBEN"]
    await slack.command(
        "zanzibar layoffs plan for the payroll team",
        user="UANN",
        channel=GROUP_DM,
        channel_name="mpdm-ann--ben--cid-1",
    )
    await until(lambda: slack.fake.responses)
    assert await _channel(slack, GROUP_DM) == ("private", {"UANN", "UBEN"})

    assert "zanzibar layoffs" not in await _answer(slack, "UZED", "who zanzibar")
    assert "zanzibar layoffs" in await _answer(slack, "UBEN", "who zanzibar")


async def test_a_slack_connect_channel_is_private_although_its_command_looks_public(slack):
    slack.fake.channels["CEXT"] = {"id": "CEXT", "name": "acme-partner", "is_ext_shared": True}
    slack.fake.members["CEXT"] = ["U1", "UPARTNER"]
    await slack.command(
        "pricing for the partner renewal", channel="CEXT", channel_name="acme-partner"
    )
    await until(lambda: slack.fake.responses)

    assert await _channel(slack, "CEXT") == ("private", {"U1", "UPARTNER"})
    async with slack.db.transaction() as s:
        stored = (await s.exec(select(Channel).where(Channel.channel_id == "CEXT"))).one()
    assert stored.shared  # so the weekly digest posted there keeps to the channel's own
    assert "partner renewal" not in await _answer(slack, "U2", "who pricing")


async def test_a_channel_slack_cannot_describe_is_treated_as_private(slack):
    slack.fake.failures["conversations.info"] = "channel_not_found"
    await slack.command("notes from the board prep", channel="CODD", channel_name="board")
    await until(lambda: slack.fake.responses)

    kind, _ = await _channel(slack, "CODD")
    assert kind == "private"
    del slack.fake.failures["conversations.info"]
    assert "board prep" not in await _answer(slack, "U2", "who board")


async def test_someone_joining_a_shared_channel_does_not_make_it_public(slack):
    slack.fake.channels["CEXT"] = {"id": "CEXT", "name": "acme-partner", "is_ext_shared": True}
    slack.fake.members["CEXT"] = ["U1"]
    await slack.command(
        "pricing for the partner renewal", channel="CEXT", channel_name="acme-partner"
    )
    await until(lambda: slack.fake.responses)

    joined = {
        "type": "member_joined_channel",
        "user": "UPARTNER",
        "channel": "CEXT",
        "channel_type": "C",
        "team": "T1",
    }
    assert (await slack.event(joined, "Ev-join-ext"))[0] == 200

    async def partner_reads_it() -> bool:
        return await _channel(slack, "CEXT") == ("private", {"U1", "UPARTNER"})

    await eventually(partner_reads_it)
    assert "partner renewal" not in await _answer(slack, "U2", "who pricing")


async def test_a_public_channel_is_still_public_after_its_lookup(slack):
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments"}
    await slack.command("shipped the ledger rounding fix", channel="CPUB", channel_name="payments")
    await until(lambda: slack.fake.responses)

    assert (await _channel(slack, "CPUB"))[0] == "public"
    assert "ledger rounding" in await _answer(slack, "U2", "who ledger")


async def _narrated_in_public(slack: SlackEnv) -> None:
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments"}
    await slack.command("shipped the ledger rounding fix", channel="CPUB", channel_name="payments")
    await until(lambda: slack.fake.responses)


async def test_a_guest_account_is_told_answers_are_for_members(slack):
    await _narrated_in_public(slack)
    slack.fake.users["UGUEST"] = {"id": "UGUEST", "name": "gus", "is_restricted": True}
    answer = await _answer(slack, "UGUEST", "who ledger")
    assert "members only" in answer and "ledger rounding" not in answer


async def test_someone_slack_cannot_describe_is_treated_as_a_guest(slack):
    await _narrated_in_public(slack)
    slack.fake.failures["users.info"] = "user_not_found"
    answer = await _answer(slack, "UOUTSIDE", "who ledger")
    assert "members only" in answer and "ledger rounding" not in answer


async def test_an_answer_in_a_slack_connect_channel_is_sent_to_the_asker_alone(slack):
    await _narrated_in_public(slack)
    slack.fake.channels["CEXT"] = {"id": "CEXT", "name": "acme-partner", "is_ext_shared": True}
    slack.fake.members["CEXT"] = ["U2", "UPARTNER"]
    mention = {
        "type": "app_mention",
        "user": "U2",
        "text": "<@UBOT> who knows about ledger?",
        "ts": "1763800000.000100",
        "channel": "CEXT",
    }
    await slack.event(mention, "Ev-ext-mention")
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    [private] = slack.fake.called("chat.postEphemeral")
    assert private.params["user"] == "U2" and "ledger rounding" in str(private.params["text"])
    assert not slack.fake.called("chat.postMessage")  # nothing was posted for the partner to read
