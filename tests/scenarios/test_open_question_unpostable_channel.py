"""The core's side of a channel the platform refuses for good (``ports.CannotPostThere``): the
asker is told why and who can fix it, nothing is kept for the digest, and asking again once it
is fixed posts (it isn't taken for a repeat)."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.events import Platform
from narrate_bot.ports import CannotPostThere
from narrate_bot.replies import Post
from narrate_bot.storage.question_tables import OpenQuestion


class _Archived:
    async def post(self, tenant: object, post: Post) -> str:
        raise CannotPostThere(CannotPostThere.ARCHIVED)


async def test_an_archived_questions_channel_is_said_so_not_try_again(chat, bot, db):
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    console = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Archived()
    out = await chat.say("zoe: /narrate ask-channel #questions cobol")
    assert "I can't post in #questions: it's archived." in out
    assert "An admin can choose another open-questions channel" in out
    assert "try again" not in out
    async with db.transaction() as session:
        assert (await session.exec(select(OpenQuestion))).all() == []
    bot.gateways[Platform.CONSOLE] = console
    assert "[#questions] @zoe is looking" in await chat.say(
        "zoe: /narrate ask-channel #questions cobol"
    )
