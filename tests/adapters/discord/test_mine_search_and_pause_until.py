"""On Discord, ``/narrate-privacy mine`` takes a search (words, ``since <date>``,
``<date>..<date>``) and ``/narrate-settings pause`` a day (``until 2026-12-28``); replies name
those fields; and a mistyped command typed into /narrate's text is answered with a button that
keeps it. Driven through the real client against the fake."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from narrate_bot.storage.tables import Narration, Person

from .fake import ALICE, FakeDiscord


async def _say(fake: FakeDiscord, group: str, sub: str | None = None, **options: Any) -> dict:
    answer = await fake.answer(await fake.slash(group, sub=sub, who=ALICE, **options))
    return dict(answer["data"])


async def test_mine_searches_and_pause_takes_a_day(fake, bot, connect):
    await connect(bot)
    await _say(fake, "narrate", text="kafka consumer lag fixed")
    await _say(fake, "narrate", text="ledger migration merged")
    registered = [c for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands")]
    assert "search" in str(registered[-1].body) and "until 2026-12-28" in str(registered[-1].body)
    out = (await _say(fake, "narrate-privacy", "mine", search="kafka"))["content"]
    assert "Your narration matching “kafka”:" in out and "ledger" not in out
    out = (await _say(fake, "narrate-privacy", "mine", search="terraform"))["content"]
    assert "None of your narrations matching “terraform”." in out
    assert "/narrate-privacy mine search: <words>" in out  # the field to type it in
    out = (await _say(fake, "narrate-settings", "pause", duration="until 2026-12-28"))["content"]
    assert "Paused until 2026-12-28 00:00 UTC" in out


async def test_a_mistyped_command_offers_a_button_that_keeps_it(fake, bot, connect):
    await connect(bot)
    data = await _say(fake, "narrate", text="find kafka")
    assert "I didn't keep this:\n> find kafka" in data["content"]
    async with bot.db.transaction() as session:
        assert not (await session.exec(select(Narration))).all()
        assert not (await session.exec(select(Person))).all()
    [button] = [c for row in data["components"] for c in row["components"]]
    assert button["label"] == "Keep as a narration"
    answer = await fake.answer(await fake.click(button["custom_id"], who=ALICE))
    assert "Noted as #1." in answer["data"]["content"]
    async with bot.db.transaction() as session:
        assert [n.text for n in (await session.exec(select(Narration))).all()] == ["find kafka"]
