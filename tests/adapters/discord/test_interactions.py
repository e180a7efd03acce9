"""Slash commands, modals and buttons through the real discord.py client and the real core."""

from __future__ import annotations

import asyncio

import pytest

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.events import CommandInvoked
from narrate_bot.replies import Reply
from narrate_bot_adapters.discord.commands import GROUPS, core_text

from .conftest import FAST, UNDEFERRED, Recorder, until
from .fake import ALICE, BOB, CAROL, SECRET, FakeDiscord

EPHEMERAL = 64
# What each first response says is checked, not how soon it came: on a loaded machine the 1 s
# deferral would be reached. A test that is about the deferral sets its own ``defer_after``.
pytestmark = pytest.mark.undeferred


def _acks_in_time(fake: FakeDiscord) -> None:
    """Every interaction got its initial response (Discord drops one without it after 3 s;
    how soon it comes on a loaded machine is the benchmarks' to measure)."""
    assert fake.acked_at, "nothing was acknowledged"
    assert set(fake.sent_at) <= set(fake.acked_at), set(fake.sent_at) - set(fake.acked_at)


async def test_narrate_with_text_is_recorded_and_answered_privately(fake, bot: Bot, connect):
    await connect(bot)
    answer = await fake.answer(await fake.slash("narrate", text="wiring the kafka consumer"))
    assert answer["type"] == 4 and answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["content"].startswith("Noted as #1.")
    assert answer["data"]["allowed_mentions"] == {"parse": []}
    mine = await fake.answer(await fake.slash("narrate-privacy", sub="mine"))
    assert "wiring the kafka consumer" in mine["data"]["content"]
    _acks_in_time(fake)


async def test_narrate_alone_opens_a_modal_whose_submission_is_recorded(fake, bot: Bot, connect):
    await connect(bot)
    await fake.slash("narrate")
    await until(lambda: fake.callbacks())
    modal = fake.callbacks()[0]
    assert modal["type"] == 9  # MODAL
    custom_id = modal["data"]["custom_id"]
    assert custom_id == "narrate-form:narration"
    text_input = modal["data"]["components"][0]["components"][0]
    assert text_input["style"] == 2 and text_input["max_length"] == 4000
    assert len(modal["data"]["title"]) <= 45 and len(text_input["label"]) <= 45

    await fake.submit(custom_id, "reviewing the terraform modules for the VPN")
    await until(lambda: len(fake.callbacks()) == 2)
    saved = fake.callbacks()[1]
    assert saved["data"]["flags"] == EPHEMERAL and "Noted as #1" in saved["data"]["content"]
    _acks_in_time(fake)


async def test_a_slow_answer_is_deferred_then_followed_up(fake, connect):
    core = Recorder([Reply(text="found three people")], delay=0.5)
    await connect(core, defer_after=0.05)
    iid = await fake.slash("whoknows", topic="kafka")
    await until(lambda: fake.posted("/webhooks/"))
    assert fake.callbacks() == [{"type": 5, "data": {"flags": EPHEMERAL}}]  # "thinking…"
    follow_up = fake.posted("/webhooks/")[0]
    assert fake.acked_at[iid] < follow_up.at  # deferred before the core finished
    assert (
        follow_up.body["content"] == "found three people" and follow_up.body["flags"] == EPHEMERAL
    )


async def test_a_form_after_a_deferral_becomes_a_button_that_opens_it(fake, bot: Bot, connect):
    original = bot.handle

    async def slow(event):
        await asyncio.sleep(0.3)
        return await original(event)

    bot.handle = slow  # type: ignore[method-assign]
    client = await connect(bot, defer_after=0.05)
    await fake.slash("narrate")
    await until(lambda: fake.posted("/webhooks/"))
    follow_up = fake.posted("/webhooks/")[0].body
    button = follow_up["components"][0]["components"][0]
    assert button["custom_id"] == "narrate:/narrate"
    bot.handle = original  # type: ignore[method-assign]
    client.interactions.defer_after = UNDEFERRED  # the click opens the modal at once
    await fake.click(button["custom_id"])
    await until(lambda: len(fake.callbacks()) == 2)
    assert fake.callbacks()[1]["type"] == 9


async def test_a_button_click_runs_its_command(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", text="migrating the billing database"))
    confirm = (await fake.answer(await fake.slash("narrate-privacy", sub="forget-me")))["data"]
    button = confirm["components"][0]["components"][0]
    assert button["style"] == 4  # danger
    assert button["custom_id"] == "narrate:/narrate forget-me confirm"
    await fake.answer(await fake.click(button["custom_id"]))
    mine = await fake.answer(await fake.slash("narrate-privacy", sub="mine"))
    assert "billing" not in mine["data"]["content"]


async def test_export_arrives_as_a_private_file(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", text="tuning postgres autovacuum"))
    export = await fake.answer(await fake.slash("narrate-privacy", sub="export"))
    assert export["data"]["flags"] == EPHEMERAL
    assert export["_files"] and export["_files"][0].endswith(".json")


async def test_whoknows_answers_with_names_but_pings_nobody(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=BOB, text="debugging kafka consumer lag"))
    answer = (await fake.answer(await fake.slash("whoknows", who=ALICE, topic="kafka")))["data"]
    assert f"<@{BOB['id']}>" in answer["content"] and answer["flags"] == EPHEMERAL
    assert answer["allowed_mentions"] == {"parse": []}


async def test_private_channel_narrations_reach_only_those_who_can_view_it(fake, bot: Bot, connect):
    """#secret denies @everyone VIEW_CHANNEL and allows the keepers role (alice, carol)."""
    await connect(bot)
    narrated = await fake.slash("narrate", who=ALICE, channel=SECRET, text="rotating vault keys")
    await fake.answer(narrated)
    bob_sees = (await fake.answer(await fake.slash("whoknows", who=BOB, topic="vault")))["data"][
        "content"
    ]
    carol_sees = (await fake.answer(await fake.slash("whoknows", who=CAROL, topic="vault")))[
        "data"
    ]["content"]
    assert f"<@{ALICE['id']}>" not in bob_sees
    assert f"<@{ALICE['id']}>" in carol_sees and "#secret, private" in carol_sees


async def test_losing_a_role_hides_the_channel_at_the_next_question(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text="vault keys"))
    before = await fake.answer(await fake.slash("whoknows", who=CAROL, topic="vault"))
    assert f"<@{ALICE['id']}>" in before["data"]["content"]
    # carol's keepers role is removed; without the members intent no event tells us, but
    # her next interaction carries her roles.
    from . import fake as fake_module

    fake_module.ROLES[CAROL["id"]] = []
    try:
        after = await fake.answer(await fake.slash("whoknows", who=CAROL, topic="vault"))
    finally:
        fake_module.ROLES[CAROL["id"]] = [fake_module.KEEPERS]
    assert f"<@{ALICE['id']}>" not in after["data"]["content"]


@pytest.mark.parametrize(
    ("group", "sub", "options", "expected"),
    [
        ("narrate-settings", "pause", {"duration": "2w"}, ("narrate pause", "2w")),
        (
            "narrate-settings",
            "timezone",
            {"zone": "Europe/Berlin"},
            ("narrate timezone", "Europe/Berlin"),
        ),
        ("narrate-settings", "team", {"name": "payments  core"}, ("narrate team", "payments core")),
        ("narrate-settings", "team", {}, ("narrate team", "")),
        ("narrate-settings", "join", {}, ("narrate join", "")),
        ("narrate-privacy", "edit", {"id": 3, "text": "fixed"}, ("narrate edit", "3 fixed")),
        ("narrate-privacy", "forget-me", {}, ("narrate forget-me", "")),
    ],
)
async def test_grouped_subcommands_name_the_cores_sub_command(
    fake, connect, group, sub, options, expected
):
    """The subcommand reaches the core named, with only what was typed as its argument, so
    the core never guesses a setting's value into a narration."""
    core = Recorder()
    await connect(core)
    await fake.slash(group, sub=sub, **options)
    await until(lambda: core.of(CommandInvoked))
    event = core.of(CommandInvoked)[0]
    assert (event.command, event.text) == expected
    assert event.tenant.tenant_id == "2000" and event.tenant.platform == "discord"


def test_every_table_row_renders_its_template():
    for _name, (_description, subs) in GROUPS.items():
        for sub in subs:
            values = {o.name: f"<{o.name}>" for o in sub.options}
            text = core_text(sub, values)
            assert text.split()[0] == sub.template.split()[0]
            assert all(f"<{o.name}>" in text for o in sub.options)


async def test_commands_sync_globally_with_groups_and_options(fake, connect):
    await connect(Recorder())
    (sync,) = fake.posted("/commands", method="PUT")
    assert sync.path == "/applications/1000/commands"
    by_name = {c["name"]: c for c in sync.body}
    assert set(by_name) == {"narrate", "whoknows", *GROUPS}
    assert by_name["narrate"]["options"][0]["required"] is False
    assert by_name["whoknows"]["options"][0]["required"] is True
    pause = next(o for o in by_name["narrate-settings"]["options"] if o["name"] == "pause")
    assert pause["type"] == 1 and pause["options"][0]["name"] == "duration"
    assert all(c.get("contexts") in (None, [0]) for c in sync.body)


async def test_commands_sync_to_the_development_guild_when_configured(fake, connect):
    settings = Settings(discord=FAST.model_copy(update={"dev_guild_id": 2000}))
    await connect(Recorder(), settings)
    (sync,) = fake.posted("/commands", method="PUT")
    assert sync.path == "/applications/1000/guilds/2000/commands"
    assert {c["name"] for c in sync.body} >= {"narrate", "whoknows"}


async def test_a_failing_core_still_gets_a_friendly_private_answer(fake, connect):
    class Broken(Recorder):
        async def handle(self, event):
            raise RuntimeError("database on fire")

    await connect(Broken())
    await fake.slash("narrate", text="anything")
    await until(lambda: fake.callbacks())
    answer = fake.callbacks()[0]["data"]
    assert answer["flags"] == EPHEMERAL and "try again" in answer["content"]


async def test_a_dm_button_names_its_guild_and_only_members_may_use_it(fake, connect):
    core = Recorder([Reply(text="ok")])
    await connect(core)
    await fake.answer(await fake.click("narrate@2000:/narrate resume", in_guild=False, who=CAROL))
    (event,) = core.of(CommandInvoked)
    assert event.tenant.tenant_id == "2000" and event.text == "resume"
    assert event.channel.kind == "direct"
    stranger = {"id": "5555", "username": "eve", "discriminator": "0", "avatar": None}
    refused = await fake.answer(
        await fake.click("narrate@2000:/narrate resume", in_guild=False, who=stranger)
    )
    assert "no longer in" in refused["data"]["content"]
    assert len(core.of(CommandInvoked)) == 1


async def test_a_scheduled_prompt_button_opens_a_form_whose_update_is_recorded(
    fake, bot: Bot, connect
):
    """The prompt flow: post (message + thread + button) → click → modal → submit → recorded."""
    from narrate_bot.events import Platform, TenantRef
    from narrate_bot.replies import Button, Post

    await connect(bot)
    tenant = TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme")
    prompt = Post(
        text="What did you work on this week?",
        channel_id="3000",
        buttons=(Button(label="Write my update", command="/narrate"),),
    )
    await bot.gateways[Platform.DISCORD].post(tenant, prompt)
    sent = fake.posted("/channels/3000/messages")[0].body
    custom_id = sent["components"][0]["components"][0]["custom_id"]
    modal = await fake.answer(await fake.click(custom_id, who=CAROL))
    assert modal["type"] == 9
    saved = await fake.answer(
        await fake.submit(modal["data"]["custom_id"], "load-tested the search cluster", who=CAROL)
    )
    assert saved["data"]["content"].startswith("Noted as #1")
    mine = await fake.answer(await fake.slash("narrate-privacy", sub="mine", who=CAROL))
    assert "load-tested the search cluster" in mine["data"]["content"]


async def test_an_interaction_the_core_says_nothing_to_is_still_acknowledged(fake, connect):
    await connect(Recorder([]))
    command = await fake.answer(await fake.slash("narrate-settings", sub="resume"))
    assert command["type"] == 4 and command["data"]["flags"] == EPHEMERAL
    click = await fake.answer(await fake.click("narrate:/narrate resume"))
    assert click == {"type": 6}  # deferred update: nothing changes on screen, no failure shown


async def _stored_private(bot: Bot, channel_id: str) -> None:
    """Wait for the core to have stored ``channel_id`` as private (not for a fixed time: a
    loaded machine may take longer to describe it)."""
    from sqlmodel import select

    from narrate_bot.storage.tables import Channel

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60  # a guard against a hang, never reached when it is described
    while True:
        async with bot.db.snapshot() as session:
            found = (
                await session.exec(select(Channel.kind).where(Channel.channel_id == channel_id))
            ).all()
        if "private" in found:
            return
        assert loop.time() < deadline, f"channel {channel_id} never described as private"
        await asyncio.sleep(0.01)


async def test_a_channel_turned_private_stops_showing_its_narrations_to_outsiders(
    fake, bot: Bot, connect
):
    from .fake import GENERAL, PRIVATE, text_channel, user

    dave = user("4003", "dave")  # no roles: can't view a keepers-only channel
    await connect(bot)
    await fake.dispatch("CHANNEL_CREATE", text_channel("3002", "random"))
    await fake.answer(await fake.slash("narrate", who=BOB, text="planning the kafka upgrade"))
    ask = {"who": dave, "channel": "3002", "topic": "kafka"}  # dave asks where he can read
    before = await fake.answer(await fake.slash("whoknows", **ask))
    assert f"<@{BOB['id']}>" in before["data"]["content"]
    await fake.dispatch("CHANNEL_UPDATE", text_channel(GENERAL, "general", PRIVATE))
    await _stored_private(bot, GENERAL)  # the update is described before the next question
    outsider = await fake.answer(await fake.slash("whoknows", **ask))
    keeper = await fake.answer(await fake.slash("whoknows", who=CAROL, topic="kafka"))
    assert f"<@{BOB['id']}>" not in outsider["data"]["content"]
    assert f"<@{BOB['id']}>" in keeper["data"]["content"]


async def test_a_failure_is_logged_by_type_never_with_what_was_written(fake, connect, caplog):
    import logging

    class Failing(Recorder):
        async def handle(self, event):
            if isinstance(event, CommandInvoked):
                raise ValueError("couldn't store 'salary talks with dana'")
            return await super().handle(event)

    await connect(Failing())
    with caplog.at_level(logging.INFO):
        iid = await fake.slash("narrate", text="salary talks with dana")
        await fake.answer(iid)
    logged = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any("ValueError" in r.getMessage() for r in logged)
    assert not any("salary" in r.getMessage() or r.exc_info for r in logged)
