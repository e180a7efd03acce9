"""A narration modal stays open as long as its author likes: what it saves, and where, is decided
when it is sent, never by what the channel was when it opened. The App Home shows what a modal
opened from it saved, and a forget-me confirmed in a DM empties it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlmodel import select

from narrate_bot.storage.tables import Channel, ChannelMember
from tests.adapters.slack.conftest import SlackEnv, eventually, until

HOME_VIEW = {"id": "VH", "type": "home", "hash": "hh"}


def submission(view: dict[str, Any], text: str, audience: int = 0, user: str = "U1") -> dict:
    picked = view["blocks"][1]["element"]["options"][audience]
    return {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t-submit",
        "view": {
            "id": f"V-{user}",
            "hash": "h1",
            "type": "modal",
            "callback_id": "narrate_form",
            "private_metadata": view["private_metadata"],
            "state": {
                "values": {
                    "text_block": {"text": {"type": "plain_text_input", "value": text}},
                    "audience_block": {
                        "audience": {"type": "radio_buttons", "selected_option": picked}
                    },
                }
            },
        },
    }


def click(value: str, *, user: str = "U1", channel: str | None = None, trigger: str) -> dict:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": trigger,
        "actions": [
            {
                "action_id": "narrate_cmd_0",
                "type": "button",
                "value": value,
                "block_id": "b",
                "action_ts": "2.2",
            }
        ],
    }
    if channel:
        payload |= {"channel": {"id": channel}, "container": {"type": "message"}}
        payload["message"] = {"ts": "1.1"}
    else:
        payload |= {"view": HOME_VIEW, "container": {"type": "view"}}
    return payload


async def _modal(slack: SlackEnv, **command: str) -> dict[str, Any]:
    opened = len(slack.fake.called("views.open"))
    await slack.command("", **command)
    await until(lambda: len(slack.fake.called("views.open")) > opened)
    return slack.fake.called("views.open")[-1].params["view"]


async def _kind(slack: SlackEnv, channel_id: str) -> str:
    async with slack.db.transaction() as s:
        return (await s.exec(select(Channel).where(Channel.channel_id == channel_id))).one().kind


async def _readers(slack: SlackEnv, channel_id: str) -> set[str]:
    async with slack.db.transaction() as s:
        channel = (await s.exec(select(Channel).where(Channel.channel_id == channel_id))).one()
        rows = await s.exec(
            select(ChannelMember.user_id).where(ChannelMember.channel_pk == channel.id)
        )
        return set(rows.all())


async def _asks(slack: SlackEnv, user: str, question: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(question, user=user, channel="C1")
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_a_modal_opened_before_its_channel_went_private_keeps_it_private(slack):
    view = await _modal(slack, user="U1", channel="C7", channel_name="ledger")
    # While Alice's modal is open, #ledger is made private (members Alice and Carol) and Carol
    # writes something only its members may read.
    slack.fake.channels["C7"] = {"id": "C7", "name": "ledger", "is_private": True}
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
    await slack.event(converted, "Ev-conv")
    await slack.command(
        "planning the layoffs announcement", user="U3", channel="C7", channel_name="privategroup"
    )
    await until(lambda: slack.fake.responses)
    assert await _kind(slack, "C7") == "private"

    await slack.interaction(submission(view, "ledger reconciliation notes"))
    await until(lambda: slack.fake.called("chat.postEphemeral"))

    assert len(await slack.narrations()) == 2
    assert await _kind(slack, "C7") == "private"
    assert await _readers(slack, "C7") == {"U1", "U3"}
    assert "<@U3>" not in await _asks(slack, "U9", "who layoffs announcement")


async def test_a_modal_sent_after_its_author_left_the_private_channel_is_handed_back(slack):
    slack.fake.channels["G1"] = {"id": "G1", "name": "hr-private", "is_private": True}
    slack.fake.members["G1"] = ["U1", "U2"]
    view = await _modal(slack, user="U2", channel="G1", channel_name="privategroup")
    await slack.command(
        "drafting the reorg plan for payments", user="U1", channel="G1", channel_name="privategroup"
    )
    await until(lambda: slack.fake.responses)
    # Bob is removed from the channel while his modal is open.
    slack.fake.members["G1"] = ["U1"]
    await slack.event(
        {"type": "member_left_channel", "user": "U2", "channel": "G1", "channel_type": "G"},
        "Ev-left",
    )

    async def only_alice() -> bool:
        return await _readers(slack, "G1") == {"U1"}

    await eventually(only_alice)

    await slack.interaction(submission(view, "my notes on the reorg", user="U2"))

    def told() -> list[str]:
        return [
            str(c.params.get("text"))
            for c in slack.fake.called("chat.postMessage")
            if c.params.get("channel") == "U2"
        ]

    await until(lambda: any("no longer a member" in t for t in told()))
    [said] = [t for t in told() if "no longer a member" in t]
    assert "#hr-private" in said and "my notes on the reorg" in said  # nothing typed is lost
    assert [n.text for n in await slack.narrations()] == ["drafting the reorg plan for payments"]
    assert await _readers(slack, "G1") == {"U1"}
    assert "<@U1>" not in await _asks(slack, "U2", "who reorg plan")


async def test_the_home_tab_shows_what_its_write_my_update_saved(slack):
    await slack.interaction(click("/narrate", trigger="t-home"))
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    everyone = [o["value"] for o in view["blocks"][1]["element"]["options"]].index("tenant")

    await slack.interaction(submission(view, "brand new kafka streams work", audience=everyone))

    def shown() -> list[Any]:
        return [
            c.params
            for c in slack.fake.called("views.publish")
            if "brand new kafka streams work" in json.dumps(c.params["view"])
        ]

    await until(lambda: bool(shown()))
    assert shown()[-1]["user_id"] == "U1"
    labels = [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]]
    assert labels == ["Only me (a private log)", "Everyone in the workspace"]  # one "Only me"
    [narration] = await slack.narrations()
    assert narration.audience == "tenant"


async def test_a_modal_from_a_dm_offers_one_only_me_and_keeps_it_to_its_author(slack):
    view = await _modal(slack, user="U1", channel="D1", channel_name="directmessage")
    labels = [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]]
    assert labels == ["Only me (a private log)", "Everyone in the workspace"]
    await slack.interaction(submission(view, "salary talk notes with hrmanagerx"))
    await until(lambda: slack.fake.called("chat.postMessage"))
    [narration] = await slack.narrations()
    assert narration.audience == "only_me"
    assert "<@U1>" not in await _asks(slack, "U3", "who hrmanagerx")


async def test_forget_me_confirmed_from_a_dm_button_empties_the_home_tab(slack):
    await slack.command("tuning postgres autovacuum")
    await until(lambda: slack.fake.responses)
    await slack.event(
        {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1", "event_ts": "1"},
        "Ev-home",
    )
    await until(lambda: slack.fake.called("views.publish"))
    assert "autovacuum" in json.dumps(slack.fake.called("views.publish")[-1].params["view"])
    await slack.command("forget-me", channel="DU1", channel_name="directmessage")
    await until(
        lambda: any("forget" in str(c.params) for c in slack.fake.called("chat.postMessage"))
    )
    published = len(slack.fake.called("views.publish"))

    await slack.interaction(click("/narrate forget-me confirm", channel="DU1", trigger="t-fm"))

    await until(lambda: len(slack.fake.called("views.publish")) > published)
    await asyncio.sleep(0.1)
    assert await slack.narrations() == []
    assert "autovacuum" not in json.dumps(slack.fake.called("views.publish")[-1].params["view"])


def test_a_prompts_form_opened_in_a_dm_names_the_prompts_channel_not_only_me():
    """A prompt's form saves in the prompt's channel wherever it is opened: in a DM its
    channel option must not read "Only me"."""
    from narrate_bot.events import ChannelKind
    from narrate_bot.replies import FormRequest
    from narrate_bot_adapters.slack import render
    from narrate_bot_adapters.slack.translate import Where

    form = FormRequest(form="prompt-reply:3", title="Write my update", prompt="On?")
    view = render.modal(form, Where(channel_id="D1", kind=ChannelKind.DIRECT))
    options = {o["value"]: o["text"]["text"] for o in view["blocks"][1]["element"]["options"]}
    assert options["channel"] == "People who can read the prompt's channel"
    assert options["only_me"] == "Only me (a private log)"
