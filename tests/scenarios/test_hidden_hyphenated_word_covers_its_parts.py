"""Hiding a hyphenated subject ("speed-up") keeps covering its parts ("speed", "speed up"): a
change that keyed it as one word ("speedup") made hide-me narrower and was taken back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_who_knows_symbol_names import people


async def _team(chat, clock) -> None:
    await chat.say(
        "sasha: /narrate a polynomial speed-up of the grover search",
        "dora: /narrate a speed-up of the grover search on new hardware",
    )
    clock.advance(timedelta(days=1))


async def test_hid_speed_then_speed_up_old_row_still_hides_speed(chat, clock, db):
    """Old version: "hide-me speed-up" then "hide-me speed" answered "already hidden from
    speed-up" (one row, topic "speed-up", key "speed"). The rekey makes it "speedup": the
    person who typed "hide-me speed" is named for "speed" again."""
    await _team(chat, clock)
    async with db.engine.begin() as conn:  # the old version's single row after both commands
        await conn.execute(
            text(
                "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic,"
                " created_at) SELECT id, 'hide', 'speed', tenant_id, 'speed-up',"
                " CURRENT_TIMESTAMP FROM person WHERE user_id = 'sasha' OR display_name = 'sasha'"
            )
        )
    await upgrade(db)
    assert "sasha" not in people(await chat.say("zoe: /narrate who knows about speed"))


async def test_hidden_speed_up_covers_speed_up_written_apart(chat, clock):
    await _team(chat, clock)
    await chat.say("sasha: /narrate hide-me speed-up")
    assert "sasha" not in people(await chat.say("zoe: /narrate who knows about speed up"))


async def test_hidden_speed_up_covers_a_fullwidth_or_nonbreaking_hyphen(chat, clock):
    await _team(chat, clock)
    await chat.say("sasha: /narrate hide-me speed-up")
    for asked in ("ｓｐｅｅｄ－ｕｐ", "speed\u2011up", "speed\u2010up"):
        out = await chat.say(f"zoe: /narrate who knows about {asked}")
        assert "dora" in people(out), (asked, out)
        assert "sasha" not in people(out), (asked, out)
