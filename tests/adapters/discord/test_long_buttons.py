"""A button whose command is too long for Discord's 100-character custom_id still works: the
"Ask in #questions" offered for a 200-character question posts it when clicked. A key nobody
kept (a button from a version that kept them in memory) says the button expired instead of
failing silently. That a kept command outlives a restart: ``test_kept_buttons_outlive_restarts``."""

from __future__ import annotations

from narrate_bot.app import Bot
from narrate_bot.events import CommandInvoked
from narrate_bot.replies import Button, Reply, Visibility
from narrate_bot_adapters.discord.render import button_rows

from .conftest import Recorder, until
from .fake import ALICE, BOB, GENERAL, GUILD, FakeDiscord

EPHEMERAL = 64
QUESTION = (
    "cooperative sticky rebalancing in kafka consumer groups when a static member restarts "
    "during a rolling deploy and its partitions are revoked before the session timeout ends, "
    "with exactly-once producer"
)


def _buttons(answer: dict) -> list[dict]:
    return [b for row in answer["data"].get("components", []) for b in row["components"]]


async def test_the_ask_in_channel_button_of_a_long_question_posts_it(fake, bot: Bot, connect):
    assert len(QUESTION) == 200
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    offered = await fake.answer(await fake.slash("whoknows", who=BOB, topic=QUESTION))
    [button] = _buttons(offered)
    assert button["label"] == "Ask in #general" and len(button["custom_id"]) <= 100

    posted = await fake.answer(await fake.click(button["custom_id"], who=BOB))
    assert posted["data"]["content"].startswith("Posted your question in #general")
    [question] = [
        c.body
        for c in fake.posted(f"/channels/{GENERAL}/messages")
        if QUESTION in c.body.get("content", "")
    ]
    assert question["content"].startswith(f"<@{BOB['id']}> is looking for someone")


async def test_a_key_nobody_kept_says_the_button_expired(fake: FakeDiscord, db, connect):
    command = f"/narrate ask-channel {QUESTION}"
    core = Recorder([Reply(text="nobody yet", buttons=(Button(label="Ask", command=command),))])
    core.db = db
    await connect(core)
    offered = await fake.answer(await fake.slash("whoknows", topic=QUESTION))
    [button] = _buttons(offered)
    assert button["custom_id"].startswith("narrate-kept:")
    expired = await fake.answer(await fake.click("narrate-kept:AAAAAAAAAAAAAAAA", who=ALICE))
    assert expired["data"]["flags"] == EPHEMERAL
    assert "expired" in expired["data"]["content"] and "/whoknows" in expired["data"]["content"]
    assert len(core.of(CommandInvoked)) == 1  # the click reached nothing: only the question


async def test_a_long_command_in_a_dm_button_names_its_guild_and_fits(fake, db, connect):
    command = f"/narrate ask-channel {QUESTION}"
    reply = Reply(text="nobody yet", visibility=Visibility.DIRECT)
    core = Recorder([reply.model_copy(update={"buttons": (Button(label="Ask", command=command),)})])
    core.db = db
    await connect(core)
    await fake.answer(await fake.slash("whoknows", topic=QUESTION))
    await until(lambda: fake.posted(f"/channels/8{ALICE['id']}/messages"))
    dm = fake.posted(f"/channels/8{ALICE['id']}/messages")[0].body
    custom_id = dm["components"][0]["components"][0]["custom_id"]
    assert custom_id.startswith(f"narrate-kept@{GUILD}:") and len(custom_id) <= 100
    await fake.answer(await fake.click(custom_id, in_guild=False))
    clicked = core.of(CommandInvoked)[-1]
    assert len(core.of(CommandInvoked)) == 2 and clicked.text == command.removeprefix("/narrate ")


def test_a_command_that_fits_is_carried_whole_and_one_that_doesnt_by_its_key():
    short = Button(label="Share", command="/narrate share 3")
    long = Button(label="Ask", command="/narrate ask-channel " + "x" * 90)
    [[(_, kept), (_, whole)]] = button_rows((long, short), keys={long.command: "K" * 16})
    assert whole == "narrate:/narrate share 3"
    assert kept == "narrate-kept:" + "K" * 16
    assert button_rows((long, short)) == [[(short, whole)]]  # kept nowhere: left out
