"""The transaction recording a posted introduction can commit and still raise (PostgreSQL: the
connection lost while COMMIT's answer was on its way). Its retry (``RECORD_TRIES``) then finds
the send recorded sent as this very post: that is logged as such, not as another process having
taken it over, and the post's place in the introductions channel is kept once, so a forget-me
edits it once and deletes it once. Through the console, on the real database."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from narrate_bot.features import schedule_delivery
from tests.scenarios.test_intro_post_follows_forget_me import ROUND

FORGET = ("{who}: /narrate forget-me", "{who}: /narrate forget-me confirm")


def _lose_the_commit_answer(db, monkeypatch: pytest.MonkeyPatch) -> list[Exception]:  # type: ignore[no-untyped-def]
    """The transaction that keeps the intro post commits, then raises once."""
    kept = schedule_delivery._keep_intro_post
    armed: list[bool] = []

    async def keep(*args: Any, **kwargs: Any) -> None:
        armed.append(True)
        await kept(*args, **kwargs)

    monkeypatch.setattr(schedule_delivery, "_keep_intro_post", keep)
    real = db.transaction
    lost: list[Exception] = [ConnectionError("server closed the connection after COMMIT")]

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[Any]:
        async with real() as session:
            yield session
        if armed and lost:  # committed; its answer is lost
            armed.clear()
            raise lost.pop()

    monkeypatch.setattr(db, "transaction", transaction)
    return lost


async def _intro_posts(db) -> int:  # type: ignore[no-untyped-def]
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM intro_post"))).scalar_one())


async def test_a_commit_whose_answer_was_lost_is_recorded_once(
    chat, db, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger=schedule_delivery.__name__)
    lost = _lose_the_commit_answer(db, monkeypatch)
    out = await chat.say(*ROUND)
    assert "[#intros] Introduction #1" in out
    assert out.count("[#intros] Introduction #1") == 1  # posted once
    assert not lost, "the lost answer was simulated"
    assert await _intro_posts(db) == 1
    async with db.engine.connect() as conn:
        sends = (
            await conn.execute(text("SELECT status FROM schedule_send WHERE part LIKE 'post-%'"))
        ).all()
    assert [s for (s,) in sends] == ["sent"]
    assert "after another process took it over" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "was recorded by its first try after all" in caplog.text


async def test_forget_me_after_a_lost_commit_answer_edits_the_post_once(
    chat, db, monkeypatch: pytest.MonkeyPatch
):
    _lose_the_commit_answer(db, monkeypatch)
    await chat.say(*ROUND)
    monkeypatch.undo()
    out = await chat.say(*(line.format(who="alice") for line in FORGET))
    assert out.count("[console] edited") == 1, out
    out = await chat.say(*(line.format(who="carol") for line in FORGET))
    out += await chat.say(":advance 1d")
    assert out.count("[console] removed") == 1, out  # once nobody in it is left
    assert "[console] edited" not in out, out
    assert await _intro_posts(db) <= 1
