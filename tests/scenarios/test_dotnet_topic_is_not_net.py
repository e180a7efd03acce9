""" ".NET" chosen as a topic is .NET, never the word "net", on every side of the match.

The search already kept ".NET" apart from "net" (``words.search_terms``), but topics folded it to
"net": hiding .NET hid the person from "net revenue" questions too, hiding "net" hid them from
.NET ones, and following .NET brought "net revenue" narrations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_who_knows_symbol_names import people


async def _team(chat, clock) -> None:
    await chat.say(
        "sasha: /narrate ported the billing service to .NET 8",
        "sasha: /narrate reconciled the net revenue report",
        "nora: /narrate net revenue dashboard numbers checked",
        "dora: /narrate upgraded the .NET runtime on the build agents",
    )
    clock.advance(timedelta(days=1))


async def test_hiding_dotnet_keeps_out_of_dotnet_questions_only(chat, clock):
    await _team(chat, clock)
    assert "sasha" in people(await chat.say("zoe: /narrate who knows about net revenue"))
    out = await chat.say("sasha: /narrate hide-me .NET")
    assert "I won't name you when someone asks about .NET" in out, out
    assert people(await chat.say("zoe: /narrate who knows about .NET")) == ["dora"]
    # "net revenue" is not .NET: she is still named for it.
    assert "sasha" in people(await chat.say("zoe: /narrate who knows about net revenue"))


async def test_hiding_net_is_not_hiding_dotnet(chat, clock):
    await _team(chat, clock)
    out = await chat.say("sasha: /narrate hide-me net")
    assert "I won't name you" in out, out
    assert "sasha" not in people(await chat.say("zoe: /narrate who knows about net revenue"))
    assert "sasha" in people(await chat.say("zoe: /narrate who knows about .NET"))
    # Both can be hidden, as two topics, and unhidden one at a time.
    out = await chat.say("sasha: /narrate hide-me .NET")
    assert "already" not in out, out
    assert "sasha" not in people(await chat.say("zoe: /narrate who knows about .NET"))
    out = await chat.say("sasha: /narrate unhide-me net")
    assert "You can be named again in answers about net." in out, out
    assert "sasha" not in people(await chat.say("zoe: /narrate who knows about .NET"))
    assert "sasha" in people(await chat.say("zoe: /narrate who knows about net revenue"))


async def test_asking_to_be_asked_about_dotnet_lifts_only_for_dotnet(chat, clock):
    await _team(chat, clock)
    await chat.say("nora: /narrate ask-me-about .NET")
    out = await chat.say("zoe: /narrate who knows about net revenue")
    assert "asks to be asked about it" not in out, out
    await chat.say("sasha: /narrate ask-me-about net")
    out = await chat.say("zoe: /narrate who knows about .NET")
    assert "asks to be asked about it" not in out, out


async def test_following_dotnet_brings_dotnet_narrations_only(chat):
    out = await chat.say("carol: /narrate follow .NET")
    assert "Following .NET." in out, out
    await chat.say(
        "sasha: /narrate reconciled the net revenue report",
        "dora: /narrate upgraded the .NET runtime on the build agents",
    )
    out = await chat.say(":advance 7d")
    assert "upgraded the .NET runtime" in out, out
    assert "net revenue" not in out, out


async def test_hiding_dotnet_keeps_off_the_maps_net(chat, clock):
    """Narrations' topics store ".NET" as "net": the map's "net" may be .NET, so whoever hid
    .NET stays off it, as before."""
    await _team(chat, clock)
    assert "net: 4 narrations · @sasha (2)" in await chat.say("zoe: /narrate topics")
    await chat.say("sasha: /narrate hide-me .NET", "sasha: /narrate hide-me revenue, report")
    out = await chat.say("zoe: /narrate topics")
    assert "net: 2 narrations · @nora (1), @dora (1)" in out, out


async def test_dotnet_hidden_before_keeps_hiding_after_a_start(chat, clock, db):
    """A ".NET" hidden before (or by an older replica) was keyed "net": the next start rekeys it,
    so the person stays out of .NET questions and can hide "net" on its own."""
    await _team(chat, clock)
    await chat.say("sasha: /narrate hide-me .NET")
    async with db.engine.begin() as conn:  # as every version before this one keyed it
        await conn.execute(text("UPDATE topic_preference SET topic_key = 'net'"))
    await upgrade(db)
    assert people(await chat.say("zoe: /narrate who knows about .NET")) == ["dora"]
    assert "already" not in await chat.say("sasha: /narrate hide-me net")
    out = await chat.say("sasha: /narrate unhide-me .NET")
    assert "You can be named again in answers about .NET." in out, out
    assert "sasha" in people(await chat.say("zoe: /narrate who knows about .NET"))
