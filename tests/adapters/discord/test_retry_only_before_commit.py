"""Discord tries a failed command or form once more, then hands the typed text back
(``adapters/discord/interactions``). Only work that has not committed may be tried again: a
step that failed after the narration was kept (blocker help, the prompt thread's post, the
look-up of an edited narration's post) re-ran the whole step, keeping the narration twice
("Noted as #2"), or answering "Already noted … posted nothing new" for an update that was
posted, or "Sorry, that didn't work … Nothing was saved" for an edit that was applied. The core
now marks what it committed (``Turn.committed_as``) and answers with it when a later step
fails; a failure before the commit is still tried again, then handed back."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.features import blocker_help, prompt_replies
from narrate_bot.features import update_posts as feature
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.discord.interactions import TRIED_AGAIN

from .fake import ALICE, CAROL, FakeDiscord
from .test_update_posts import _prompted, _said

# What each first response says is checked, not how soon it came: on a loaded machine the 1 s
# deferral would be reached ("thinking…" first). A test about the deferral sets ``defer_after``.
pytestmark = pytest.mark.undeferred

STUCK = "stuck on the kafka consumer rebalancing, any ideas?"


def _failing(
    monkeypatch: pytest.MonkeyPatch, target: Any, name: str, times: int | None = 1
) -> dict[str, int]:
    """``target.name`` raises what a lock timeout or a dropped connection raises, ``times``
    times (``None``: every time)."""
    real = getattr(target, name)
    calls = {"n": 0}

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if times is None or calls["n"] <= times:
            raise OperationalError("SELECT 1", {}, Exception("lock timeout"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)
    return calls


async def _stored(bot: Bot) -> list[str]:
    async with bot.db.snapshot() as s:
        return [n.text for n in (await s.exec(select(Narration))).all()]


async def _told(fake: FakeDiscord, iid: str) -> str:
    """What interaction ``iid`` was answered, also when it was deferred first."""
    answer = await fake.answer(iid)
    if answer["type"] != 5:
        return str(answer["data"]["content"])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30.0  # only a failure waits this long, even on a loaded machine
    while loop.time() < deadline:
        followed = [
            c.body for c in fake.calls if c.path.startswith("/webhooks/") and f"/tok{iid}" in c.path
        ]
        if followed:
            return str(followed[-1].get("content", ""))
        await asyncio.sleep(0.01)
    raise AssertionError("no follow-up after the deferral")


async def _submit(fake: FakeDiscord, prompt: dict[str, Any], text: str) -> str:
    """The prompt's "Write my update" form, sent with ``text``: what its author is told."""
    custom_id = prompt["components"][0]["components"][0]["custom_id"]
    modal = await fake.answer(await fake.click(custom_id, who=CAROL))
    return await _told(fake, await fake.submit(modal["data"]["custom_id"], text, who=CAROL))


async def test_a_narration_whose_blocker_help_failed_is_kept_once_and_said_noted(
    fake: FakeDiscord, bot: Bot, connect, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    await connect(bot)
    calls = _failing(monkeypatch, blocker_help, "with_help")
    told = await _told(fake, await fake.slash("narrate", who=ALICE, text=STUCK))
    assert told.startswith("Noted as #1."), told
    assert TRIED_AGAIN not in told and "Nothing was saved" not in told
    assert await _stored(bot) == [STUCK]
    assert calls["n"] == 1  # not tried again
    [warned] = [r for r in caplog.records if "change committed failed" in r.getMessage()]
    assert warned.levelno == logging.WARNING
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not any("kafka" in said for said in loud)  # never what was written


async def test_a_form_update_whose_blocker_help_failed_says_posted_not_already_noted(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    _failing(monkeypatch, prompt_replies, "with_help")
    told = await _submit(fake, prompt, STUCK)
    assert "Already noted" not in told and "posted nothing new" not in told, told
    assert told.startswith("Noted as #1, readable by whoever reads #general."), told
    assert "Posted in the prompt's thread in #general." in told
    assert len(fake.posted(f"/channels/{thread}/messages")) == 1
    assert await _stored(bot) == [STUCK]


async def test_a_form_update_whose_post_step_failed_is_kept_once_and_says_not_posted(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    calls = _failing(monkeypatch, feature, "post_update")
    told = await _submit(fake, prompt, "shipped the importer")
    assert "Already noted" not in told, told
    assert told.startswith("Noted as #1, readable by whoever reads #general."), told
    assert (
        "I couldn't post it in the prompt's thread in #general just now. Your update is kept "
        "all the same." in told
    ), told
    assert not fake.posted(f"/channels/{thread}/messages")
    assert await _stored(bot) == ["shipped the importer"]
    assert calls["n"] == 1  # not tried again


async def test_an_edit_whose_post_look_up_keeps_failing_says_updated_not_nothing_saved(
    fake: FakeDiscord, bot: Bot, clock, connect, monkeypatch
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    assert "Posted in the prompt's thread" in await _submit(fake, prompt, "shipped the importer")
    find = feature.store.find
    _failing(monkeypatch, feature.store, "find", times=None)  # a lock held a while
    iid = await fake.slash("narrate", who=CAROL, text="edit 1 shipped the importer, with docs")
    told = await _told(fake, iid)
    assert TRIED_AGAIN not in told and "Nothing was saved" not in told, told
    assert told.startswith("Updated #1."), told
    assert "sending the same edit again changes it" in told
    assert await _stored(bot) == ["shipped the importer, with docs"]
    # Sent again once the database answers, the post is changed as the answer said.
    monkeypatch.setattr(feature.store, "find", find)
    again = await _said(fake, "edit 1 shipped the importer, with docs")
    assert "Its post in the prompt's thread is changed too." in again
    [patch] = fake.posted(f"/channels/{thread}/messages/", "PATCH")
    assert patch.body["content"].endswith("shipped the importer, with docs")


@pytest.mark.parametrize("times", [1, None])
async def test_a_failure_before_the_commit_is_tried_again_then_handed_back(
    fake: FakeDiscord, bot: Bot, connect, monkeypatch, times: int | None
):
    await connect(bot)
    calls = _failing(monkeypatch, repo, "add_narration", times=times)
    told = await _told(fake, await fake.slash("narrate", who=ALICE, text=STUCK))
    assert calls["n"] == 2  # tried once more
    if times == 1:
        assert told.startswith("Noted as #1."), told
        assert await _stored(bot) == [STUCK]
    else:
        assert told.startswith(TRIED_AGAIN), told
        assert "Nothing was saved" in told and f"> {STUCK}" in told, told
        assert await _stored(bot) == []
