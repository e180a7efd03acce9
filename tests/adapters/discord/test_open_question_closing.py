"""``ask-channel answered`` and ``withdraw`` have Discord rows of their own, and withdraw
deletes the question's post (and renames its thread, the bot having no Manage Threads)."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot
from narrate_bot_adapters.discord.commands import GROUPS, core_text

from .fake import ALICE, BOB, GENERAL, FakeDiscord


async def _row(fake: FakeDiscord, sub: str) -> str:
    data: dict[str, Any] = {"id": "6000", "name": "narrate-topics", "type": 1,
                            "options": [{"name": sub, "type": 1, "options": []}]}  # fmt: skip
    answer = await fake.answer(await fake.interaction(2, data, who=ALICE))
    return str(answer["data"].get("content"))


def test_the_rows_say_the_core_words():
    rows = {sub.name: core_text(sub, {}) for sub in GROUPS["narrate-topics"][1]}
    assert rows["ask-channel-answered"] == "ask-channel answered"
    assert rows["ask-channel-withdraw"] == "ask-channel withdraw"


async def test_withdraw_through_its_row_deletes_the_post(fake: FakeDiscord, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    await fake.answer(await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol"))
    await fake.answer(await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> rexx"))
    older, newer = fake.threads
    answered = await _row(fake, "ask-channel-answered")
    assert "I marked your question “rexx” in #general answered" in answered
    withdrawn = await _row(fake, "ask-channel-withdraw")
    assert "Withdrawn: your question “cobol” in #general" in withdrawn
    assert "Its post is removed from #general." in withdrawn
    assert fake.posted(f"/channels/{GENERAL}/messages/{older}", "DELETE")
    assert not fake.posted(f"/channels/{GENERAL}/messages/{newer}", "DELETE")
    assert fake.threads[older]["name"] == "(removed)"


async def test_withdraw_says_the_thread_stayed_when_only_the_thread_did(
    fake: FakeDiscord, bot: Bot, connect
):
    """Renaming the thread is refused after the message went: she is told to delete the thread
    titled with her question, not a post that is gone."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    await fake.answer(await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol"))
    [post_id] = fake.threads
    fake.fail("PATCH", r"^/channels/\d+$", 403, {"message": "Missing Permissions", "code": 50013})
    withdrawn = await _row(fake, "ask-channel-withdraw")
    assert fake.posted(f"/channels/{GENERAL}/messages/{post_id}", "DELETE")
    assert "Withdrawn: your question “cobol” in #general" in withdrawn
    assert "couldn't remove its post" not in withdrawn
    assert (
        "Its post is removed from #general, but not the thread under it, titled with your name "
        "and question; please delete that thread there"
    ) in withdrawn


def test_the_answered_row_names_who_answered():
    sub = {s.name: s for s in GROUPS["narrate-topics"][1]}["ask-channel-answered"]
    assert core_text(sub, {"by": "<@4001>"}) == "ask-channel answered by <@4001>"
    assert core_text(sub, {"by": None}) == "ask-channel answered"


async def test_answered_by_through_its_row_credits_them(fake: FakeDiscord, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    await fake.answer(await fake.slash("narrate", who=BOB, text="fixed the cobol build"))
    await fake.answer(await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol"))
    data: dict[str, Any] = {"id": "6000", "name": "narrate-topics", "type": 1, "options": [
        {"name": "ask-channel-answered", "type": 1,
         "options": [{"name": "by", "type": 3, "value": f"<@{BOB['id']}>"}]}]}  # fmt: skip
    answer = await fake.answer(await fake.interaction(2, data, who=ALICE))
    told = str(answer["data"].get("content"))
    assert "I marked your question “cobol” in #general answered, thanks to <@4001>" in told
    [thanks] = fake.posted(f"/channels/8{BOB['id']}/messages")
    assert str(thanks.body["content"]).startswith(
        "<@4000> says you answered their question “cobol” in #general. Thank you!"
    )
