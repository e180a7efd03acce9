"""Forget-me deletes the bot's post of an open question on Discord, and the thread opened on
it: deleting a thread's first message leaves the thread, titled "alice is looking for someone
who knows about …". Without Manage Threads (the bot isn't invited with it) the thread is
renamed and archived instead, as its creator may. Before, post and thread both stayed."""

from __future__ import annotations

from narrate_bot.app import Bot

from .fake import GENERAL, FakeDiscord

MANAGE_THREADS = 1 << 34
REMOVED_THREAD = "(removed)"  # the gateway's ``REMOVED_THREAD``


async def _ask_then_forget(fake: FakeDiscord, bot: Bot, connect) -> tuple[str, str]:
    """Alice's question posted in #general, then her forget-me: (the post's id, the reply)."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    asked = await fake.answer(
        await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol mainframes")
    )
    assert "Posted your question" in asked["data"]["content"]
    [post_id] = fake.threads
    assert fake.threads[post_id]["name"].startswith("alice is looking for someone")
    await fake.answer(await fake.slash("narrate", text="forget-me"))
    told = await fake.answer(await fake.slash("narrate", text="forget-me confirm"))
    return post_id, str(told["data"]["content"])


async def test_without_manage_threads_the_post_goes_and_its_thread_is_renamed(
    fake: FakeDiscord, bot: Bot, connect
):
    post_id, told = await _ask_then_forget(fake, bot, connect)
    assert fake.posted(f"/channels/{GENERAL}/messages/{post_id}", "DELETE")
    assert not fake.posted(f"/channels/{post_id}", "DELETE")  # no refused request spent
    renamed, archived = fake.posted(f"/channels/{post_id}", "PATCH")
    assert renamed.body == {"name": REMOVED_THREAD, "archived": False}
    assert archived.body == {"archived": True}
    assert fake.threads[post_id]["name"] == REMOVED_THREAD
    assert "Done: I erased everything about you" in told
    assert "couldn't remove" not in told


async def test_with_manage_threads_the_thread_goes_too(fake: FakeDiscord, bot: Bot, connect):
    fake.guild["roles"].append(
        {"id": "2200", "name": "bots", "permissions": str(MANAGE_THREADS), "position": 2,
         "color": 0, "hoist": False, "managed": False, "mentionable": False}
    )  # fmt: skip
    fake.guild["members"][0]["roles"] = ["2200"]
    post_id, told = await _ask_then_forget(fake, bot, connect)
    assert fake.posted(f"/channels/{GENERAL}/messages/{post_id}", "DELETE")
    assert fake.posted(f"/channels/{post_id}", "DELETE")
    assert post_id not in fake.threads
    assert not fake.posted(f"/channels/{post_id}", "PATCH")
    assert "couldn't remove" not in told


async def test_a_post_discord_keeps_is_named_and_the_erasure_still_happens(
    fake: FakeDiscord, bot: Bot, connect
):
    fake.fail("DELETE", r"/messages/\d+$", 403, {"message": "Missing Access", "code": 50001})
    _, told = await _ask_then_forget(fake, bot, connect)
    assert "Done: I erased everything about you" in told
    assert "I couldn't remove my post of your question (“cobol mainframes” in #general)" in told


async def test_a_thread_discord_keeps_is_named_as_the_thread_not_as_the_post(
    fake: FakeDiscord, bot: Bot, connect
):
    """The message goes, but renaming its thread is refused: the reply says the thread stays
    (titled with her name and question), not the post she would look for in vain."""
    fake.fail("PATCH", r"^/channels/\d+$", 403, {"message": "Missing Permissions", "code": 50013})
    post_id, told = await _ask_then_forget(fake, bot, connect)
    assert fake.posted(f"/channels/{GENERAL}/messages/{post_id}", "DELETE")
    assert fake.threads[post_id]["name"].startswith("alice is looking for someone")
    assert "Done: I erased everything about you" in told
    assert "couldn't remove my post" not in told
    assert (
        "I removed my post of your question (“cobol mainframes” in #general), but not the "
        "thread under it, titled with your name and question; please delete that thread there"
    ) in told


async def test_a_renamed_thread_left_unarchived_is_nothing_to_report(
    fake: FakeDiscord, bot: Bot, connect
):
    """Renamed, the thread repeats none of her words: archiving it refused is no reason to tell
    her something of hers stayed."""
    fake.fail("PATCH", r"^/channels/\d+$", 403, {"message": "Missing Permissions", "code": 50013},
              skip=1)  # fmt: skip
    post_id, told = await _ask_then_forget(fake, bot, connect)
    assert fake.threads[post_id]["name"] == REMOVED_THREAD
    assert "Done: I erased everything about you" in told
    assert "couldn't remove" not in told
    assert "thread" not in told
