"""The weekly round reads everyone's topics a batch at a time, so the bot keeps answering while it
reads them (``intro_repo.READ_BATCH``); a topic is still counted with all its narrations, across
channels and however it was stored, whichever batches they come in, and a private channel's
topic is still named only where its readers are.

Here every row is its own batch. ana narrated "passes" four times in two public channels, two
of them stored by an older version as "passe" (read today as "pass"), and "retries" three
times: "pass" is what she narrates most only if all four are added up. "invoice", narrated in
#secret which bo can't open, is never named to him.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from narrate_bot.storage import intro_repo

WHY = re.compile(r"Why: ([^\n]+)\.\n")


@pytest.fixture
def one_row_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intro_repo, "READ_BATCH", 1)


@pytest.mark.usefixtures("one_row_batches")
async def test_topics_read_in_batches_are_counted_whole(chat, db):
    await chat.say(
        ":channel #a public",
        ":channel #b public",
        ":channel #c public",
        ":channel #secret private ana",
        "ana@payments: /narrate intros join",
        "bo@search: /narrate intros join",
        "ana in #a: /narrate passes",
        "ana in #a: /narrate passes again",
        "ana in #b: /narrate passes",
        "ana in #b: /narrate passes once more",
        "ana in #c: /narrate retries",
        "ana in #c: /narrate retries again",
        "ana in #c: /narrate retries once more",
        *[f"ana in #secret: /narrate invoices {n}" for n in ("one", "two", "three", "four")],
        "bo: /narrate kafka consumers",
    )
    async with db.engine.begin() as conn:  # as a version that folded "passes" to "passe" did
        await conn.execute(
            text(
                "UPDATE narration_topic SET topic = 'passe' WHERE topic = 'pass' AND narration_id"
                " IN (SELECT narration_id FROM narration_topic WHERE topic = 'pass'"
                " ORDER BY narration_id LIMIT 2)"
            )
        )
    out = await chat.say(":advance 2h")  # Monday 10:00's round
    assert "Introduction #1: @ana (payments), meet @bo (search)." in out
    assert set(WHY.findall(out)) == {
        "@ana narrates about pass and retry, @bo about consumer and kafka; "
        "payments and search haven't been introduced yet"
    }
