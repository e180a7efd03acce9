"""The console as a platform: it speaks first (posts in channels, threads, DMs) and it listens."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from narrate_bot.events import Platform
from narrate_bot.replies import Button, Post
from narrate_bot_adapters.console.adapter import TENANT


async def test_posts_print_with_their_destination_and_return_thread_anchors(chat, bot):
    gateway = bot.gateways[Platform.CONSOLE]
    first = await gateway.post(TENANT, Post(text="What are you working on?", channel_id="team"))
    second = await gateway.post(TENANT, Post(text="Reminder", channel_id="team", thread_of=first))
    third = await gateway.post(
        TENANT,
        Post(
            text="<@alice>, meet <@bob>",
            to_users=("alice", "bob"),
            names={"alice": "Alice", "bob": "Bob"},
            buttons=(Button(label="We met", command="/narrate intros met 1"),),
        ),
    )
    assert (first, second, third) == ("m1", "m2", "m3")
    printed = chat.out.getvalue().splitlines()
    assert printed == [
        "[#team] What are you working on?",
        "[console] posted as m1: reply in #team thread m1",
        "[#team thread] Reminder",
        "[console] posted as m2 in #team thread m1",
        "[dm alice,bob] @Alice, meet @Bob",
        "  (button) We met: /narrate intros met 1",
    ]


async def test_a_reply_under_a_post_that_isnt_there_says_so(chat, bot):
    gateway = bot.gateways[Platform.CONSOLE]
    await gateway.post(TENANT, Post(text="What are you working on?", channel_id="team"))
    out = await chat.say("bob in #team thread m99: shipped the importer")
    assert "there is no post m99 in #team" in out
    out = await chat.say("bob in #general thread m1: shipped the importer")
    assert "there is no post m1 in #general" in out  # m1 is #team's


async def test_an_export_folder_that_cant_be_written_is_a_note_not_a_crash(bot, clock, tmp_path):
    import io

    from narrate_bot_adapters.console import ConsoleAdapter

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    out = io.StringIO()
    console = ConsoleAdapter(bot, clock, out, export_dir=blocked / "exports")
    await console.feed("alice: /narrate shipped the importer")
    assert await console.feed("alice: /narrate export")  # the session goes on
    assert "couldn't save" in out.getvalue() and "choose another --export-dir" in out.getvalue()
    await console.feed("alice: /narrate mine")
    assert "shipped the importer" in out.getvalue().rsplit("couldn't save", 1)[1]


def test_a_post_needs_exactly_one_destination():
    with pytest.raises(ValidationError):
        Post(text="nowhere")
    with pytest.raises(ValidationError):
        Post(text="both", channel_id="c", to_users=("u",))


async def test_at_the_interactive_prompt_plain_questions_reach_the_bot(bot, clock, tmp_path):
    import io

    from narrate_bot_adapters.console import ConsoleAdapter

    out = io.StringIO()
    console = ConsoleAdapter(bot, clock, out, export_dir=tmp_path, default_user="you")
    await console.feed("bob in #infra: /narrate upgraded the kafka brokers")
    await console.feed("who knows about kafka?")
    assert "[#general thread] Who knows about “kafka”" in out.getvalue()
    # Someone known here speaking with "name:" must address the bot, as in a script (a name
    # nobody has used is read as your own text: test_console_plays_the_platform).
    await console.feed("bob: who knows about kafka?")
    assert out.getvalue().count("Who knows about") == 1
