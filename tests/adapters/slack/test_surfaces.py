"""Every Slack surface through the real Bolt app, over HTTP, against the fake Web API."""

from __future__ import annotations

import json

from sqlmodel import select

from narrate_bot.storage.platform_store import SeenEvent
from narrate_bot.storage.tables import Channel, ChannelMember, Person, Tenant
from tests.adapters.slack.conftest import eventually, until

ACK_BUDGET = 3.0  # Slack's deadline; benchmarks/slack_ack.py measures the real p99


async def test_narrate_text_is_recorded_and_confirmed_privately_after_a_fast_ack(slack):
    slack.fake.delays["users.info"] = 1.5  # slow work happens after the ack
    status, body, took = await slack.command("shipped the ledger migration")
    assert status == 200 and body == "" and took < 1.0
    await until(lambda: slack.fake.responses)
    reply = slack.fake.responses[0]
    assert reply["response_type"] == "ephemeral" and "Noted as #1" in reply["text"]
    [narration] = await slack.narrations()
    assert narration.text == "shipped the ledger migration" and narration.source == "command"


async def test_bare_narrate_opens_a_modal_and_its_submission_is_recorded_with_the_audience(slack):
    status, _, took = await slack.command("")
    assert status == 200 and took < ACK_BUDGET
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    assert view["type"] == "modal" and view["callback_id"] == "narrate_form"
    audience = view["blocks"][1]["element"]["options"][1]
    submission = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t2",
        "view": {
            "id": "V1",
            "hash": "h1",
            "type": "modal",
            "callback_id": "narrate_form",
            "private_metadata": view["private_metadata"],
            "state": {
                "values": {
                    "text_block": {
                        "text": {"type": "plain_text_input", "value": "pairing on kafka"}
                    },
                    "audience_block": {
                        "audience": {"type": "radio_buttons", "selected_option": audience}
                    },
                }
            },
        },
    }
    status, body, took = await slack.interaction(submission)
    assert status == 200 and took < ACK_BUDGET
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    [narration] = await slack.narrations()
    assert (narration.text, narration.audience, narration.source) == (
        "pairing on kafka",
        "tenant",
        "form",
    )


async def test_empty_modal_submission_is_refused_in_the_modal_and_stores_nothing(slack):
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "view": {
            "id": "V1",
            "hash": "h",
            "type": "modal",
            "callback_id": "narrate_form",
            "private_metadata": "{}",
            "state": {"values": {"text_block": {"text": {"value": "  "}}}},
        },
    }
    status, body, _ = await slack.interaction(submission)
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    assert await slack.narrations() == []


async def test_mention_question_is_answered_in_the_thread_with_a_real_mention(slack):
    slack.fake.users["U2"] = {"id": "U2", "name": "grace", "tz": "Europe/Berlin"}
    await slack.command("migrating the payments ledger to kafka streams", user="U2")
    await until(lambda: slack.fake.responses)
    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> who knows about kafka?",
        "ts": "1763800000.000200",
        "channel": "C1",
        "event_ts": "1763800000.000200",
    }
    status, _, took = await slack.event(mention, "Ev-mention")
    assert status == 200 and took < ACK_BUDGET
    await until(lambda: slack.fake.called("chat.postMessage"))
    post = slack.fake.called("chat.postMessage")[0].params
    assert post["channel"] == "C1" and post["thread_ts"] == "1763800000.000200"
    assert "<@U2>" in post["text"]


async def test_a_deactivated_account_is_no_longer_suggested(slack):
    slack.fake.users["U2"] = {"id": "U2", "name": "grace", "tz": "Europe/Berlin"}
    await slack.command("migrating the payments ledger to kafka streams", user="U2")
    await until(lambda: slack.fake.responses)
    await slack.command("who kafka")
    await until(lambda: len(slack.fake.responses) >= 2)
    assert "<@U2>" in slack.fake.responses[-1]["text"]
    grace = {"id": "U2", "name": "grace", "tz": "Europe/Berlin", "deleted": True}
    status, _, _ = await slack.event({"type": "user_change", "user": grace}, "Ev-gone")
    assert status == 200

    async def gone() -> bool:
        async with slack.db.transaction() as s:
            return (await s.exec(select(Person.departed_at))).first() is not None

    await eventually(gone)
    await slack.command("who kafka")
    await until(lambda: len(slack.fake.responses) >= 3)
    answer = slack.fake.responses[-1]["text"]
    assert "couldn't find anyone" in answer and "<@U2>" not in answer


async def test_direct_message_is_narrated_and_answered_in_the_dm(slack):
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": "reading about raft",
        "ts": "1763800000.000300",
        "channel": "D1",
    }
    status, _, _ = await slack.event(dm, "Ev-dm")
    assert status == 200
    await until(lambda: slack.fake.called("chat.postMessage"))
    assert slack.fake.called("chat.postMessage")[0].params["channel"] == "U1"
    [narration] = await slack.narrations()
    assert narration.source == "dm"
    assert narration.link == "https://acme.slack.com/archives/D1/p1763800000000300"


async def test_channel_chatter_and_bot_messages_never_reach_the_core(slack):
    for i, event in enumerate(
        [
            {
                "type": "message",
                "channel_type": "channel",
                "user": "U1",
                "text": "lunch?",
                "ts": "1.1",
                "channel": "C1",
            },
            {
                "type": "message",
                "channel_type": "im",
                "bot_id": "B9",
                "text": "beep",
                "ts": "1.2",
                "channel": "D1",
            },
        ]
    ):
        assert (await slack.event(event, f"Ev-noise-{i}"))[0] == 200
    await slack.command("help")
    await until(lambda: slack.fake.responses)
    assert await slack.narrations() == []
    assert not slack.fake.called("chat.postMessage")


async def test_thread_reply_in_a_channel_reaches_the_core_with_its_thread(slack):
    reply = {
        "type": "message",
        "channel_type": "channel",
        "user": "U1",
        "text": "done with it",
        "ts": "1763800001.000100",
        "thread_ts": "1763800000.000100",
        "channel": "C1",
    }
    status, _, _ = await slack.event(reply, "Ev-thread")
    assert status == 200

    async def handled() -> bool:
        async with slack.db.transaction() as s:
            seen = (await s.exec(select(SeenEvent))).first()
            return seen is not None and seen.done

    await eventually(handled)


async def test_message_shortcut_narrates_the_message_with_its_permalink(slack):
    payload = {
        "type": "message_action",
        "callback_id": "narrate_this",
        "trigger_id": "t-sc",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "name": "alice"},
        "channel": {"id": "C1", "name": "general"},
        "response_url": slack.fake.response_url(),
        "message": {
            "type": "message",
            "user": "U1",
            "ts": "1763800000.000400",
            "text": "fixed the flaky ledger test",
        },
    }
    status, _, took = await slack.interaction(payload)
    assert status == 200 and took < ACK_BUDGET
    await until(lambda: slack.fake.responses)  # the shortcut's response_url
    [narration] = await slack.narrations()
    assert narration.source == "shortcut" and narration.text == "fixed the flaky ledger test"
    assert narration.link == "https://acme.slack.com/archives/C1/p1763800000000400"


async def test_button_click_runs_its_command(slack):
    await slack.command("first thing")
    await until(lambda: slack.fake.responses)
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "trigger_id": "t-b",
        "channel": {"id": "C1"},
        "response_url": slack.fake.response_url(),
        "container": {"type": "message"},
        "message": {"ts": "1.1"},
        "actions": [
            {
                "action_id": "narrate_cmd_0",
                "type": "button",
                "value": "/narrate mine",
                "block_id": "b",
                "action_ts": "2.2",
            }
        ],
    }
    status, _, took = await slack.interaction(payload)
    assert status == 200 and took < ACK_BUDGET
    await until(lambda: len(slack.fake.responses) >= 2)  # the click's response_url
    assert "#1" in slack.fake.responses[1]["text"]


async def test_app_home_shows_my_narrations_topics_and_settings(slack):
    slack.fake.users["U1"] = {"id": "U1", "name": "alice", "tz": "Europe/Berlin"}
    await slack.command("tuning postgres autovacuum")
    await until(lambda: slack.fake.responses)
    await slack.command("postgres replication lag")
    await until(lambda: len(slack.fake.responses) == 2)
    status, _, _ = await slack.event(
        {
            "type": "app_home_opened",
            "user": "U1",
            "tab": "home",
            "channel": "D1",
            "event_ts": "1.1",
        },
        "Ev-home",
    )
    assert status == 200
    await until(lambda: slack.fake.called("views.publish"))
    view = slack.fake.called("views.publish")[0].params["view"]
    text = json.dumps(view)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "Europe/Berlin" in text and "postgres" in text and "replication lag" in text
    assert "/narrate forget-me" in text and "/narrate export" in text


async def test_export_button_uploads_a_file_to_my_dm(slack):
    await slack.command("something to export")
    await until(lambda: slack.fake.responses)
    await slack.command("export")
    await until(lambda: slack.fake.called("files.completeUploadExternal"))
    assert b"something to export" in slack.fake.uploads[0]
    assert slack.fake.called("files.completeUploadExternal")[0].params["channel_id"] == "DU1"


async def test_leaving_a_private_channel_removes_the_reader(slack, bot):
    slack.fake.channels["G1"] = {"id": "G1", "name": "secret", "is_private": True}
    slack.fake.members["G1"] = ["U1", "U2"]
    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> who knows about x?",
        "ts": "1.5",
        "channel": "G1",
    }
    await slack.event(mention, "Ev-m")
    await until(lambda: slack.fake.called("chat.postMessage"))
    assert slack.fake.called("conversations.members")  # the readers were looked up
    async with slack.db.transaction() as s:
        assert set((await s.exec(select(ChannelMember.user_id))).all()) == {"U1", "U2"}
    left = {"type": "member_left_channel", "user": "U2", "channel": "G1", "channel_type": "G"}
    await slack.event(left, "Ev-left")

    async def readers() -> set[str]:
        async with slack.db.transaction() as s:
            return set((await s.exec(select(ChannelMember.user_id))).all())

    async def only_alice() -> bool:
        return await readers() == {"U1"}

    await eventually(only_alice)


async def test_app_uninstalled_erases_the_workspace(slack):
    await slack.command("something private to acme")
    await until(lambda: slack.fake.responses)
    status, _, _ = await slack.event({"type": "app_uninstalled"}, "Ev-uninstall")
    assert status == 200

    async def erased() -> bool:
        async with slack.db.transaction() as s:
            return (await s.exec(select(Tenant))).first() is None

    await eventually(erased)
    assert await slack.narrations() == []


async def test_write_my_update_button_on_a_prompt_opens_the_modal(slack):
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "trigger_id": "t-prompt",
        "channel": {"id": "DU1"},
        "container": {"type": "message"},
        "message": {"ts": "1.1"},
        "actions": [
            {
                "action_id": "narrate_cmd_0",
                "type": "button",
                "value": "/narrate",
                "block_id": "b",
                "action_ts": "2.2",
            }
        ],
    }
    status, _, took = await slack.interaction(payload)
    assert status == 200 and took < ACK_BUDGET
    await until(lambda: slack.fake.called("views.open"))
    call = slack.fake.called("views.open")[0].params
    assert call["trigger_id"] == "t-prompt" and call["view"]["callback_id"] == "narrate_form"


async def test_a_prompt_posted_by_the_core_carries_its_buttons_and_returns_its_thread(slack):
    from narrate_bot.events import Platform, TenantRef
    from narrate_bot.replies import Button, Post

    gateway = slack.adapter.bot.gateways[Platform.SLACK]
    ts = await gateway.post(
        TenantRef(platform=Platform.SLACK, tenant_id="T1"),
        Post(
            text="What are you working on, <@U1>?",
            channel_id="C1",
            buttons=(Button(label="Write my update", command="/narrate"),),
            names={"U1": "ada"},
        ),
    )
    [call] = slack.fake.called("chat.postMessage")
    assert ts.startswith("1700000000.") and call.params["channel"] == "C1"
    assert "<@U1>" in call.params["text"]
    assert call.params["blocks"][-1]["elements"][0]["value"] == "/narrate"


async def test_a_dm_that_mentions_the_bot_is_still_narrated(slack):
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "channel": "D1",
        "text": "<@UBOT> reading about raft",
        "ts": "1763800000.000500",
    }
    await slack.event(dm, "Ev-dm-mention")
    await until(lambda: slack.fake.called("chat.postMessage"))
    [narration] = await slack.narrations()
    assert narration.text == "reading about raft"


async def test_a_channel_made_private_is_reclassified_with_its_readers(slack):
    await slack.command("design notes for the ledger", channel="C7", channel_name="ledger")
    await until(lambda: slack.fake.responses)
    slack.fake.members["C7"] = ["U1", "U3"]
    converted = {
        "type": "message",
        "subtype": "channel_convert_to_private",
        "user": "U1",
        "text": "made this channel *private*.",
        "ts": "1730984822.596869",
        "channel": "C7",
        "channel_type": "group",
    }
    assert (await slack.event(converted, "Ev-conv"))[0] == 200

    async def private_with_readers() -> bool:
        async with slack.db.transaction() as s:
            channel = (await s.exec(select(Channel).where(Channel.channel_id == "C7"))).one()
            readers = set(
                (
                    await s.exec(
                        select(ChannelMember.user_id).where(ChannelMember.channel_pk == channel.id)
                    )
                ).all()
            )
            return channel.kind == "private" and readers == {"U1", "U3"}

    await eventually(private_with_readers)
