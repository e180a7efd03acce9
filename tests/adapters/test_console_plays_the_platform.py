"""The console plays Slack faithfully: a private channel stays private in every later session on
the database, only its members can write in it, a form keeps the channel it was opened in, a
mention counts anywhere in the line, and what one person wrote can't take over the next
person's terminal."""

from __future__ import annotations

import io
import json

from narrate_bot_adapters.console import ConsoleAdapter
from tests.helpers import Chat


def _session(bot, clock, tmp_path, *, as_user: str | None = None) -> Chat:
    """Another run of ``narrate-bot console`` on the same database: a fresh adapter."""
    out = io.StringIO()
    adapter = ConsoleAdapter(bot, clock, out, export_dir=tmp_path / "exports", default_user=as_user)
    return Chat(adapter, out, tmp_path / "exports")


# ------------------------------------------------------------------ channels and who is in them


async def test_a_private_channel_stays_private_in_a_later_session(chat, bot, clock, tmp_path):
    await chat.say(
        ":channel #launch-secret private carol,dan",
        "carol in #launch-secret: /narrate search relaunch moved to december",
    )
    later = _session(bot, clock, tmp_path, as_user="you")
    out = await later.say("carol in #launch-secret: /narrate pricing page copy ready")
    assert "Only members of #launch-secret can see it." in out
    out = await later.say("you: /narrate who pricing", "you: /narrate who relaunch december")
    assert "pricing page" not in out and "relaunch moved" not in out and "@carol" not in out
    assert "pricing page" in await later.say("dan: /narrate who pricing")  # a member still reads


async def test_a_guest_stays_a_guest_in_a_later_session(chat, bot, clock, tmp_path):
    await chat.say(
        ":guest pat",
        "pat: /narrate partner sandbox is up",
        "bob@infra in #infra: /narrate upgraded the kafka brokers",
    )
    later = _session(bot, clock, tmp_path)
    out = await later.say("pat: @narrate who knows about kafka?")
    assert "members only" in out or "for members" in out
    assert "kafka brokers" not in out and "@bob" not in out


async def test_a_non_member_cant_speak_in_a_private_channel_nor_read_it_by_trying(chat):
    await chat.say(
        ":channel #secret private alice",
        "alice in #secret: /narrate hooli contract signed",
    )
    out = await chat.say("bob in #secret: /narrate who hooli")
    assert out == (
        "[console] bob isn't in #secret (a private channel), so nothing was sent; "
        "add them with :channel #secret private alice,bob\n"
    )
    assert "hooli contract" not in await chat.say("bob: /narrate who hooli")
    # Declared a member, bob reads it.
    await chat.say(":channel #secret private alice,bob")
    assert "hooli contract" in await chat.say("bob in #secret: /narrate who hooli")


async def test_nobody_writes_in_someone_elses_dm_channel(chat):
    await chat.say("alice in dm: /narrate salary review notes for hrmanagerx")
    out = await chat.say("bob in #dm-alice: /narrate who hrmanagerx")
    assert out.startswith("[console] #dm-alice is someone's direct messages with the bot")
    assert "salary review" not in await chat.say("bob: /narrate who hrmanagerx")


async def test_a_form_is_kept_in_the_channel_it_was_opened_in(chat):
    await chat.say(":channel #secret private alice")
    opened = await chat.say("alice in #secret: /narrate")
    assert opened.startswith("[only alice in #secret]") and "fills the form" in opened
    filled = await chat.say("alice in #general: hooli contract signed")
    assert filled.startswith("[only alice in #secret] Noted as #1.")
    assert "Only members of #secret can see it." in filled
    assert "hooli contract" not in await chat.say("bob: /narrate who hooli")


# -------------------------------------------------------------------- what counts as addressed


async def test_a_mention_of_the_bot_counts_anywhere_in_the_line_as_a_word(chat):
    await chat.say("bob in #infra: /narrate upgraded the kafka brokers")
    answered = await chat.say("alice: who knows about kafka? @narrate")
    assert "Who knows about “kafka”" in answered and "@bob" in answered
    assert await chat.say("alice: hey @narrate who knows about kafka?") != ""  # not ignored
    assert await chat.say("alice: @narrator who knows about kafka?") == ""  # another name
    assert await chat.say("alice: mail ops@narrate.io about kafka") == ""


# --------------------------------------------------------------------- the interactive prompt


async def test_at_the_prompt_a_word_and_colon_is_your_own_text_unless_it_names_someone(
    bot, clock, tmp_path
):
    chat = _session(bot, clock, tmp_path, as_user="you")
    await chat.say("bob@infra in #infra: /narrate upgraded the kafka brokers")
    out = await chat.say("Update: shipped the kafka importer")
    assert out.startswith("[console] read as said by you: nobody called update is here yet")
    assert "\n[only you in #general] " in out  # the bot answers you (how to narrate)
    out = await chat.say("https://example.com/kafka who knows about kafka?")
    assert out.startswith("[only you in #general] ")  # yours, not a speaker called https
    # Someone the console knows still speaks with "name:", as scripts do.
    assert "Noted as #2." in await chat.say("bob: /narrate kafka consumer lag fixed")


async def test_piped_lines_still_need_a_speaker(chat):
    out = await chat.say("https://example.com/kafka who knows")
    assert out.startswith("[console] Start a line with who speaks")
    assert await chat.say("update: shipped the importer") == ""  # update's chatter, as before


async def test_names_are_read_in_lowercase_wherever_they_are_typed(bot, clock, tmp_path):
    chat = _session(bot, clock, tmp_path, as_user="Bob")  # narrate-bot console --as Bob
    assert "fills the form" in await chat.say("/narrate")
    assert "Noted as #1." in await chat.say("bob: shipped the importer")
    assert await chat.say(":tz Alice Europe/Berlin") == (
        "[console] alice's time zone is Europe/Berlin\n"
    )
    await chat.say(":channel #Secret private Alice")
    assert "Noted" in await chat.say("alice in #secret: /narrate hooli contract")


# ---------------------------------------------------------------------------------- the output


async def test_escape_sequences_in_what_people_wrote_never_reach_the_terminal(chat):
    await chat.say(
        "bob in #infra: /narrate kafka \x1b[2J\x1b[H\x1b]0;owned\x07brokers\x1b[31m upgraded\r"
    )
    out = await chat.say("alice: @narrate who knows about kafka?")
    assert "@bob" in out and "upgraded" in out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    # The console's own notes echo what was typed: a pasted escape is shown inert there too.
    out = await chat.say(":fro\x1b[2J\x1b]0;owned\x07b")
    assert out.startswith("[console] I don't know :fro") and "\x1b" not in out


async def test_two_exports_in_the_same_second_keep_both_files(chat):
    await chat.say("alice: /narrate shipped the importer")
    first = await chat.say("alice: /narrate export")
    await chat.say("alice: /narrate shipped the exporter")
    second = await chat.say("alice: /narrate export")
    files = sorted(chat.export_dir.iterdir())
    assert len(files) == 2, (first, second)
    texts = [json.dumps(json.loads(f.read_text())) for f in files]
    assert sum("shipped the exporter" in t for t in texts) == 1
    assert all("shipped the importer" in t for t in texts)


async def test_the_consoles_help_is_a_console_note(chat):
    assert (await chat.say(":help")).startswith("[console] Lines look like this:")
