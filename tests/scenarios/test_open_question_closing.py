"""``/narrate ask-channel answered`` and ``withdraw``: the asker closes their newest open
question. Digests stop listing it; withdraw deletes its post (best effort, like forget-me);
answered leaves the post and counts in ``/narrate stats``. Before, a question stayed "open" in
every digest of its week however it went, and the asker had no way to take it back."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.events import Platform
from narrate_bot.replies import Post
from narrate_bot.storage.question_tables import OpenQuestion
from tests.scenarios.test_review_fixes_digest_form import _said_in


async def _two_questions(chat) -> None:
    await chat.say(
        ":channel #team public",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate join",  # the digest lists only the questions of people taking part
        "zoe: /narrate ask-channel #team who knows cobol?",
        "zoe: /narrate ask-channel #team who knows rexx?",
        "alice: /narrate schedule digest #team on mon 12:00",
    )


async def test_answered_closes_the_newest_and_the_digest_lists_only_the_rest(chat):
    await _two_questions(chat)
    out = await chat.say("zoe: /narrate ask-channel answered")
    assert (
        "Glad it's answered: I marked your question “rexx” in #team answered, and digests stop "
        "listing it. Its post stays, with the answers. You have 1 more open question; the same "
        "command closes the newest of them." in out
    )
    assert "removed" not in out  # nothing in the channel changes
    thread = _said_in(await chat.say(":advance 7d"), "#team thread")
    assert "@zoe is looking for someone who knows about “cobol”" in thread
    assert "rexx" not in thread


async def test_stats_count_questions_answered(chat):
    await _two_questions(chat)
    assert "answered in the open-questions channel" not in await chat.say("ann: /narrate stats")
    await chat.say("zoe: /narrate ask-channel answered", "zoe: /narrate ask-channel answered")
    out = await chat.say("ann: /narrate stats")
    assert "No introductions yet." in out
    assert "• 2 open questions answered in the open-questions channel (its asker said so)" in out
    out = await chat.say("zoe: /narrate ask-channel answered")
    assert "You have no open question in the open-questions channel" in out


async def test_withdraw_deletes_the_post_and_the_digest_drops_it(chat, bot):
    await _two_questions(chat)
    out = await chat.say("zoe: /narrate ask-channel withdraw")
    assert "[console] removed m2 from #team, with its thread" in out
    assert (
        "Withdrawn: your question “rexx” in #team is no longer listed in digests. Its post is "
        "removed from #team. You have 1 more open question" in out
    )
    thread = _said_in(await chat.say(":advance 7d"), "#team thread")
    assert "cobol" in thread and "rexx" not in thread
    # Nothing left to delete at forget-me but the open question's post.
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    assert "removed m1" in out and "removed m2" not in out


class _Undeleting:
    def __init__(self, console) -> None:
        self.console = console

    async def post(self, tenant, post: Post) -> str:
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        raise ConnectionError("platform down")

    async def delete(self, tenant, channel_id: str, message_id: str, **_: object) -> None:
        raise ConnectionError("platform down")


async def test_a_post_that_stays_is_said_and_forget_me_tries_it_again(chat, bot):
    console = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Undeleting(console)
    await _two_questions(chat)
    out = await chat.say("zoe: /narrate ask-channel withdraw")
    assert "I couldn't remove its post; please delete it in #team." in out
    async with bot.db.transaction() as session:
        rows = (await session.exec(select(OpenQuestion).order_by(OpenQuestion.id))).all()
        assert [(q.text, q.status, q.post_message_id) for q in rows] == [
            ("cobol", "open", "m1"),
            ("rexx", "withdrawn", "m2"),
        ]
    bot.gateways[Platform.CONSOLE] = console
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    assert "removed m1" in out and "removed m2" in out


async def test_someone_without_questions_is_told_so(chat):
    out = await chat.say("bob: /narrate ask-channel withdraw")
    assert "You have no open question in the open-questions channel" in out
    assert "ask-channel answered|withdraw" in await chat.say("bob: /narrate help answered")
    assert "ask-channel answered|withdraw" in await chat.say("bob: /narrate help withdraw")
