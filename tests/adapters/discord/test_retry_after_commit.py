"""Discord retries a failed command or form once (``adapters/discord/interactions``). A failure
after the core step committed must not reach that retry: it re-ran the step against what the
first try had stored. A form update whose prompt's thread couldn't be looked up was answered
"Already noted as #1 … posted nothing new" (nothing was posted), and a delete whose index scrub
failed was answered "You have no narration #1" with the post left in the prompt's thread and
nothing left to find it by. Now the committed step is told as done, with what didn't follow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.features import narrate as narrate_feature
from narrate_bot.features import update_posts as feature
from narrate_bot.storage.tables import Narration
from narrate_bot.storage.update_post_tables import UpdatePost

from .fake import FakeDiscord
from .test_update_posts import _prompted, _said, _submit


def _fails_once(monkeypatch, target: Any, name: str) -> dict[str, int]:
    """``target.name`` raises what a lock timeout or a dropped connection raises, once."""
    real = getattr(target, name)
    calls = {"n": 0}

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT 1", {}, Exception("lock timeout"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)
    return calls


async def test_a_form_update_whose_thread_could_not_be_looked_up_is_noted_not_a_repeat(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    calls = _fails_once(monkeypatch, feature.store, "latest_prompt")
    told = await _submit(fake, prompt, "shipped the importer")
    assert calls["n"] == 1  # not retried
    assert "Already noted" not in told and "posted nothing new" not in told
    assert told.startswith("Noted as #1"), told
    assert (
        "I couldn't post it in the prompt's thread in #general just now; I'll try again in a "
        "few minutes. Your update is kept all the same." in told
    ), told
    assert not fake.posted(f"/channels/{thread}/messages")
    async with bot.db.snapshot() as s:
        assert [n.text for n in (await s.exec(select(Narration))).all()] == ["shipped the importer"]
    # A later tick posts it in the prompt's thread, once.
    await bot.run_due(clock.now() + timedelta(minutes=3))
    [post] = fake.posted(f"/channels/{thread}/messages")
    assert "shipped the importer" in str(post)
    await bot.run_due(clock.now() + timedelta(hours=2))
    assert len(fake.posted(f"/channels/{thread}/messages")) == 1
    async with bot.db.snapshot() as s:
        [row] = (await s.exec(select(UpdatePost))).all()
        assert row.message_id and row.retry_at is None


async def test_a_delete_whose_scrub_failed_still_removes_its_post_and_says_deleted(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    assert "Posted in the prompt's thread" in await _submit(fake, prompt, "shipped the importer")
    assert len(fake.posted(f"/channels/{thread}/messages")) == 1
    calls = _fails_once(monkeypatch, narrate_feature.privacy, "clear_traces")
    told = await _said(fake, "delete 1")
    assert calls["n"] == 1  # not retried
    assert "You have no narration" not in told
    assert told.startswith("Deleted #1."), told
    assert "Its post in the prompt's thread is removed too." in told
    assert "my next clean-up does" in told
    assert len(fake.posted(f"/channels/{thread}/messages/", "DELETE")) == 1
    async with bot.db.snapshot() as s:
        assert (await s.exec(select(Narration))).all() == []


async def test_an_edit_whose_scrub_failed_says_updated_once(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    await _submit(fake, prompt, "shipped the importer")
    calls = _fails_once(monkeypatch, narrate_feature.privacy, "clear_traces")
    told = await _said(fake, "edit 1 shipped the importer, with docs")
    assert calls["n"] == 1  # not retried
    assert told.startswith("Updated #1."), told
    assert "Its post in the prompt's thread is changed too." in told
    assert "my next clean-up does" in told
    assert len(fake.posted(f"/channels/{thread}/messages/", "PATCH")) == 1
