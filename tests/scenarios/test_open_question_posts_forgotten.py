"""Forget-me deletes the bot's posts of the person's open questions ("@zoe is looking for
someone who knows about …"): only the stored rows went before, and the post kept naming them
in the channel, where neither they nor the bot (which never kept its id) could remove it. A
platform that won't delete it never holds the erasure back; the reply says which post stayed."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.events import Platform
from narrate_bot.replies import Post
from narrate_bot.storage.question_tables import OpenQuestion
from narrate_bot.storage.tables import Person


async def _ask(chat, question: str = "cobol mainframes") -> str:
    await chat.say(":channel #questions public", "ann: /narrate questions-channel #questions")
    return await chat.say(f"zoe: /narrate ask-channel #questions {question}")


async def _people(bot) -> list[str]:
    async with bot.db.transaction() as session:
        return [p.user_id for p in (await session.exec(select(Person))).all()]


async def test_forget_me_deletes_the_post_of_each_question(chat, bot):
    assert "[console] posted as m1" in await _ask(chat)
    assert "[console] posted as m2" in await chat.say("zoe: /narrate ask-channel #questions rexx")
    async with bot.db.transaction() as session:
        kept = (await session.exec(select(OpenQuestion))).all()
        assert {(q.post_channel_id, q.post_message_id) for q in kept} == {
            ("questions", "m1"),
            ("questions", "m2"),
        }
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    assert "[console] removed m1 from #questions, with its thread" in out
    assert "[console] removed m2 from #questions, with its thread" in out
    assert "Done: I erased everything about you" in out
    assert "couldn't remove" not in out
    assert "zoe" not in await _people(bot)
    # Nobody can reply under the removed post any more.
    out = await chat.say("bob in #questions thread m1: I know cobol")
    assert "there is no post m1 in #questions" in out


async def test_someone_elses_question_stays(chat):
    await _ask(chat)
    await chat.say("bob: /narrate ask-channel #questions fortran")
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    assert "removed m1" in out and "m2" not in out


class _Undeleting:
    """Posts like the console but can't delete: the platform refused or was down."""

    def __init__(self, console) -> None:
        self.console = console

    async def post(self, tenant, post: Post) -> str:
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        raise ConnectionError("platform down")

    async def delete(self, tenant, channel_id: str, message_id: str, **_: object) -> None:
        raise ConnectionError("platform down")


async def test_a_post_that_stays_is_named_and_the_erasure_still_happens(chat, bot):
    console = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Undeleting(console)
    await _ask(chat)
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    assert "Done: I erased everything about you, including 0 narrations." in out
    assert (
        "I couldn't remove my post of your question (“cobol mainframes” in #questions); "
        "please delete it there, or ask an admin to." in out
    )
    assert "zoe" not in await _people(bot)
    async with bot.db.transaction() as session:
        assert (await session.exec(select(OpenQuestion))).all() == []


class _ForgottenWhilePosting:
    """Zoe confirms forget-me in another process while her question is being posted."""

    def __init__(self, chat, console) -> None:
        self.chat, self.console = chat, console
        self.deleted: list[str] = []

    async def post(self, tenant, post: Post) -> str:
        async with self.chat.adapter.bot.db.transaction() as session:
            zoe = (await session.exec(select(Person).where(Person.user_id == "zoe"))).one()
            await session.delete(zoe)
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        await self.console.update(tenant, message_id, post)

    async def delete(self, tenant, channel_id: str, message_id: str, **_: object) -> None:
        self.deleted.append(message_id)


async def test_a_post_whose_asker_was_forgotten_meanwhile_goes_at_once(chat, bot):
    await chat.say(":channel #questions public", "ann: /narrate questions-channel #questions")
    await chat.say("zoe: /narrate join")
    gateway = _ForgottenWhilePosting(chat, bot.gateways[Platform.CONSOLE])
    bot.gateways[Platform.CONSOLE] = gateway
    await chat.say("zoe: /narrate ask-channel #questions cobol")
    assert gateway.deleted == ["m1"]


async def test_a_post_whose_id_was_never_kept_is_named(chat, bot):
    """Questions posted before migration 0020 have no post id: forget-me can't delete their
    posts, and says so rather than let the person think they are gone."""
    await _ask(chat)
    async with bot.db.transaction() as session:
        for row in (await session.exec(select(OpenQuestion))).all():
            row.post_channel_id = row.post_message_id = None
            session.add(row)
    await chat.say("zoe: /narrate forget-me")
    out = await chat.say("zoe: /narrate forget-me confirm")
    assert "[console] removed" not in out
    assert "I couldn't remove my post of your question (“cobol mainframes” in #questions)" in out
