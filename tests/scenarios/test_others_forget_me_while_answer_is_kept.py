"""A who-knows answer DMed to someone who never joined is kept (``Bot.reply_posted``) after
the question was read. A forget-me in between changes the workspace's erasure mark, and the
keeping used to take any change for the asker's own: the DM of a never-joined asker was
replaced by "This answer was withdrawn" although neither they nor anyone it quoted had been
erased, and nothing followed its quotes any more (a later delete never reached it). Someone
quoted in it who is erased meanwhile loses their line only, as in a joined asker's DM.

Now the keeping also looks for the answer's own record, kept under the asker's user id as the
question was answered (every forget-me of that user id deletes it): still there, the forget-me
was someone else's. The asker's own forget-me still withdraws it, on both engines and from
another replica at the same moment (``test_askers_forget_me_while_answer_is_kept``, and the
race below). Found by review."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import text
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.features import answer_copies
from narrate_bot.replies import Post
from narrate_bot.storage.copy_tables import NarrationCopy
from tests.helpers import Chat
from tests.scenarios.test_intros_pace import _blocked_by
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
OTHER = "kafka consumer lag dashboards for the payments team"
WITHDRAWN = "withdrawn"


async def _kept(bot: Bot) -> list[NarrationCopy]:
    async with bot.db.snapshot() as session:
        return list((await session.exec(select(NarrationCopy))).all())


def _held(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """The adapter reports the posted answer late (a slow platform): its ``reply_posted``
    calls, to run when the test says."""
    held: list[tuple[object, ...]] = []

    async def later(self: Bot, *args: object) -> None:
        held.append(args)

    monkeypatch.setattr(Bot, "reply_posted", later)
    return held


@pytest.mark.parametrize("joined", [True, False], ids=["carol-joined", "carol-never-joined"])
async def test_someone_elses_forget_me_leaves_a_never_joined_askers_answer(
    bot: Bot, chat: Chat, monkeypatch: pytest.MonkeyPatch, joined: bool
) -> None:
    """carol, who is neither bob nor quoted, is forgotten while bob's answer goes out: bob's
    DM keeps alice's words, and alice's delete later reaches it."""
    real = Bot.reply_posted
    held = _held(monkeypatch)
    out = await chat.say(
        *(["carol: /narrate join"] if joined else ["carol in dm: who knows about kafka?"]),
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    out = await chat.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
    assert "Done" in out, out

    before = len(chat.out.getvalue())
    await real(bot, *held[-1])  # type: ignore[arg-type]
    printed = chat.out.getvalue()[before:]
    assert "dm bob" not in printed and WITHDRAWN not in printed, printed  # left as it was
    [kept] = await _kept(bot)
    assert kept.reader_user_id == "bob" and "hunter2" in Post.model_validate_json(kept.post).text

    out = await chat.say("alice: /narrate delete 1")
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    assert "hunter2" not in _said_in(out, "dm bob"), out


async def test_a_quoted_authors_forget_me_removes_only_their_line(
    bot: Bot, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """alice is quoted in bob's answer and forgotten while it goes out: her line is removed at
    once, dave's stays and still follows his narration."""
    real = Bot.reply_posted
    held = _held(monkeypatch)
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}",
        f"dave in #general: /narrate {OTHER}",
        "bob in dm: who knows about kafka?",
    )
    dm = _said_in(out, "dm bob")
    assert "hunter2" in dm and "dashboards" in dm, out
    out = await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    assert "Done" in out, out

    before = len(chat.out.getvalue())
    await real(bot, *held[-1])  # type: ignore[arg-type]
    printed = chat.out.getvalue()[before:]
    dm = _said_in(printed, "dm bob")
    assert re.search(r"\[console\] edited a\d+ in dm bob", printed), printed
    assert WITHDRAWN not in dm and "hunter2" not in dm and "@alice" not in dm, printed
    assert "dashboards" in dm and "@dave" in dm, printed

    out = await chat.say("dave: /narrate delete 1")
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    assert "dashboards" not in _said_in(out, "dm bob"), out


@pytest.mark.parametrize("whose", ["bob", "carol"])
async def test_a_forget_me_on_another_replica_while_the_answer_is_kept(
    bot: Bot, chat: Chat, db, clock, tmp_path, monkeypatch: pytest.MonkeyPatch, whose: str
) -> None:
    """Another replica confirms a forget-me once this one's keeping of bob's answer inserted
    it, before it commits. bob's own waits for the answer and then empties it ("Done" stays
    true); carol's leaves it as it is."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: nothing runs between the insert and the commit")
    other = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    await chat.say(
        "carol in dm: who knows about kafka?",
        f"alice in #general: /narrate {SECRET}",
        f"{whose}: /narrate forget-me",
    )
    real = answer_copies.store.keep
    racing: list[asyncio.Task[str]] = []

    async def kept_then_raced(session, **kw):  # type: ignore[no-untyped-def]
        kept = await real(session, **kw)
        conn = await session.connection()
        writer = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        racing.append(asyncio.create_task(other.say(f"{whose}: /narrate forget-me confirm")))
        # It either runs through now or waits for this transaction: seen in PostgreSQL's
        # locks, not guessed from how long it took.
        while not racing[0].done() and not await _blocked_by(db, writer):
            await asyncio.sleep(0.01)
        return kept

    monkeypatch.setattr(answer_copies.store, "keep", kept_then_raced)
    out = await chat.say("bob in dm: who knows about kafka?")
    assert "hunter2" in _said_in(out, "dm bob") and WITHDRAWN not in out, out
    said = await racing[0]
    assert "Done" in said, said
    if whose == "bob":
        # The erasure came second: it found the answer kept and emptied it, then forgot it.
        assert re.search(r"\[console\] edited a\d+ in dm bob", said), said
        assert "hunter2" not in _said_in(said, "dm bob"), said
        assert await _kept(bot) == []
    else:
        assert "dm bob" not in said, said
        [kept] = await _kept(bot)
        assert kept.reader_user_id == "bob"
        assert "hunter2" in Post.model_validate_json(kept.post).text
