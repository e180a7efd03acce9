"""A form update's post whose id was never saved is found again in the prompt's thread on
Discord, through the real discord.py client against the fake REST API.

The post is claimed before it goes out and its id saved after; a process stopped in between
(here: the save fails once) left the post in the thread with nothing to find it by, so an edit
could never change it and a delete never removed it. Now a later tick reads the thread's
recent messages, finds the bot's own post of that update and saves its id: the edit and the
delete reach it. A claim whose post never went out is posted by the tick instead, once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError

from narrate_bot.app import Bot
from narrate_bot.features import update_posts as feature
from narrate_bot.storage import update_posts as store

from .fake import FakeDiscord
from .test_update_posts import _prompted, _said, _submit


def _fails_once(monkeypatch, name: str) -> None:
    real = getattr(store, name)

    async def fails(*args, **kwargs):
        monkeypatch.setattr(store, name, real)
        raise OperationalError("UPDATE update_post", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, name, fails)


def _sent(fake: FakeDiscord, thread: str) -> list[str]:
    return [m["id"] for m in fake.sent.get(thread, [])]


async def test_a_post_whose_id_was_lost_is_found_then_edited_and_deleted(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    _fails_once(monkeypatch, "keep")
    await _submit(fake, prompt, "shipped the importer")
    [post_id] = _sent(fake, thread)
    await bot.run_due(clock.now() + timedelta(minutes=15))
    assert fake.posted(f"/channels/{thread}/messages", "GET")
    assert _sent(fake, thread) == [post_id]  # found, not posted again

    edited = await _said(fake, "edit 1 shipped the importer, with docs")
    assert "Its post in the prompt's thread is changed too." in edited, edited
    patches = fake.posted(f"/channels/{thread}/messages/{post_id}", "PATCH")
    assert patches[-1].body["content"].endswith("shipped the importer, with docs")
    assert "Its post in the prompt's thread is removed too." in await _said(fake, "delete 1")
    assert fake.posted(f"/channels/{thread}/messages/{post_id}", "DELETE")


async def test_a_claim_whose_post_never_went_out_is_posted_once(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    # The process stops after the claim, before anything is sent.
    real = feature.post_for

    def stops(*args, **kwargs):
        monkeypatch.setattr(feature, "post_for", real)
        raise RuntimeError("the process stopped")

    monkeypatch.setattr(feature, "post_for", stops)
    told = await _submit(fake, prompt, "shipped the importer")
    assert "Noted as #1" in told
    assert _sent(fake, thread) == []
    await bot.run_due(clock.now() + timedelta(minutes=15))
    assert len(_sent(fake, thread)) == 1
    await bot.run_due(clock.now() + timedelta(hours=3))
    assert len(_sent(fake, thread)) == 1
    assert "Its post in the prompt's thread is changed too." in await _said(
        fake, "edit 1 shipped the importer, with docs"
    )
