"""Topics shown to people name real subjects, in words they wrote: through the console.

Before, "the vet analysis passes now; check the return value in this case" was confirmed with
"Topics: vet, analysis, passe, check, return", "passe" led the topic map of a team narrating
analysis passes, and "check", "line", "name" or "case" filled the map and introductions' reasons.
Plurals made with "es" now fold to their singular ("passes" → "pass"), words any narration uses
are no topics, and topics stored by earlier versions are read the same way ("passe" is shown and
counted as "pass") without rewriting anyone's narrations. Who-knows questions keep only their
subjects for introductions: "who knows about the build issue" asked about build, not issue.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, delete, select

from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Narration, NarrationTopic
from narrate_bot_adapters.console.adapter import TENANT

GENERIC = ("check", "return", "case", "line", "name", "figure", "mean", "back")


async def stored_as_before(
    db: Database,
    *,
    containing: str,
    renamed: dict[str, str] | None = None,
    added: tuple[str, ...] = (),
) -> None:
    """Rewrites the stored topics of every narration containing ``containing`` as an earlier
    version's extractor stored them: ``renamed`` maps today's topic to the one stored then
    ("pass" → "passe"); ``added`` were stored then and aren't now ("check", "line")."""
    async with db.transaction() as session:
        rows = await session.exec(
            select(Narration).where(col(Narration.text).contains(containing, autoescape=True))
        )
        narrations = list(rows.all())
        assert narrations, containing
        for narration in narrations:
            assert narration.id is not None
            stored = set(
                (
                    await session.exec(
                        select(NarrationTopic.topic).where(
                            NarrationTopic.narration_id == narration.id
                        )
                    )
                ).all()
            )
            # An earlier version may have stored some of them from the text itself.
            for now, then in (renamed or {}).items():
                await session.exec(
                    delete(NarrationTopic).where(
                        col(NarrationTopic.narration_id) == narration.id,
                        col(NarrationTopic.topic) == now,
                    )
                )
                if then not in stored:
                    session.add(NarrationTopic(narration_id=narration.id, topic=then))
            for then in added:
                if then not in stored:
                    session.add(NarrationTopic(narration_id=narration.id, topic=then))


def _topics_of_confirmation(out: str) -> list[str]:
    found = re.search(r"Topics: (.+?)\.\n", out)
    assert found, out
    return found.group(1).split(", ")


async def test_a_narration_is_confirmed_with_its_subjects_as_words(chat):
    out = await chat.say("alice: /narrate the vet analysis passes now; check the return value")
    assert _topics_of_confirmation(out) == ["vet", "analysis", "pass", "value"]
    out = await chat.say(
        "bob: /narrate gopls: figure out what this line means and the name of each case"
    )
    assert _topics_of_confirmation(out) == ["gopls"]
    out = await chat.say("carol: /narrate caches, branches and aliases of the matrices")
    assert _topics_of_confirmation(out) == ["cache", "branch", "alias", "matrix"]


async def test_the_map_names_subjects_and_reads_old_topics_as_words(db, chat):
    await chat.say(
        "bob: /narrate the analysis passes now check the return value in this case",
        "bob: /narrate ssa analysis passes, figure out the line name",
        "carol: /narrate analysis passes for vet",
        "carol: /narrate one more pass over the analysis passes",
    )
    # As an earlier version stored them: "passe" for "passes", and the generic words.
    await stored_as_before(
        db, containing="passes", renamed={"pass": "passe"}, added=("check", "case")
    )
    await stored_as_before(db, containing="figure", added=("figure", "line", "name"))
    out = await chat.say("zoe: /narrate topics")
    assert "1. analysis: 4 narrations · @bob (2), @carol (2)" in out
    assert "2. pass: 4 narrations · @bob (2), @carol (2)" in out
    assert "passe" not in out
    for word in GENERIC:
        assert f" {word}:" not in out, out
    # Nothing stored was changed: the narrations read as written.
    assert "the analysis passes now check the return value" in await chat.say("bob: /narrate mine")


async def test_a_profile_reads_old_topics_as_words(db, chat):
    await chat.say("bob: /narrate the analysis passes now check the return value in this case")
    await stored_as_before(db, containing="passes", renamed={"pass": "passe"}, added=("check",))
    out = await chat.say("zoe: /narrate profile @bob")
    topics_line = next(line for line in out.splitlines() if "analysis" in line)
    assert re.search(r"\bpass \(1\)", topics_line), topics_line
    assert "passe" not in topics_line and "check" not in topics_line, topics_line


async def test_an_introduction_gives_the_word_both_wrote(db, bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate compiler passes for the ledger, check the line numbers",
        "carol: /narrate compiler passes in search, figure out the name clash",
    )
    # alice's as an earlier version stored it: "passe", and "check" and "line" as topics.
    await stored_as_before(
        db, containing="ledger", renamed={"pass": "passe"}, added=("check", "line")
    )
    clock.advance(timedelta(days=1))
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    [told] = [p for p in posts if p.to_users]
    why = told.text.split("Why: ", 1)[1].split("\n", 1)[0]
    assert re.search(r"you both narrated about compiler and pass\b", why), why
    for word in (*GENERIC, "passe"):
        assert not re.search(rf"\b{word}\b", why), why


async def _asked_topics(chat, person: str) -> list[str]:
    out = await chat.say(f"{person}: /narrate export")
    exported = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    return [row["topic"] for row in exported["introductions"]["asked_topics"]]


async def test_a_who_knows_question_keeps_only_its_subjects_for_introductions(chat):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol: /narrate the build cache for the ledger",
        "alice: /narrate who knows about the build issue, need help with this case?",
    )
    assert await _asked_topics(chat, "alice") == ["build"]
    # A question of nothing but filler keeps nothing at all.
    await chat.say("alice: /narrate who knows about the issue, need help?")
    assert await _asked_topics(chat, "alice") == ["build"]


async def test_the_digest_names_what_teams_share_in_words_written(db, chat):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate compiler passes for the ledger, check the line",
        "bob@infra in #team: /narrate compiler passes for the fleet, check the line",
    )
    await stored_as_before(
        db, containing="ledger", renamed={"pass": "passe"}, added=("check", "line")
    )
    await chat.say("alice: /narrate schedule digest #team on mon 12:00")
    out = await chat.say(":advance 7d")
    assert "Worked on by more than one team (worth a chat?):" in out
    assert "• compiler: infra, payments" in out and "• pass: infra, payments" in out, out
    for word in (*GENERIC, "passe"):
        assert f"• {word}:" not in out, out
