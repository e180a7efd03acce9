"""A replica still on the code from before digests' copies of open questions were kept
(migration 0032) withdraws a question, or erases its asker, by its own SQL in a rolling deploy:
the scheduler's next wake-up still takes the line out of the weekly digest's thread (edited, or
deleted with the week's post when nothing else is left), once; a failure is tried again later.

Before migration 0040 the line's record cascaded with the question and the digest kept naming
the asker and quoting the question for good."""

from __future__ import annotations

from sqlalchemy import text

from tests.scenarios.test_digest_copies_of_questions_go_with_them import _question_in_digest
from tests.scenarios.test_review_fixes_digest_form import _said_in

# What the older version's withdraw and forget-me run on questions (its repositories, as SQL).
OLD_WITHDRAW = "DELETE FROM open_question WHERE person_id = :person"
OLD_FORGET_ME = (
    "DELETE FROM open_question WHERE person_id = :person",
    "DELETE FROM person WHERE id = :person",
)


async def _as_old_version(db, *statements: str, user: str) -> None:
    async with db.engine.begin() as conn:
        person = (
            await conn.execute(text("SELECT id FROM person WHERE user_id = :u"), {"u": user})
        ).scalar()
        for statement in statements:
            await conn.execute(text(statement), {"person": person})


async def _left(db) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM digest_question_gone"))).scalar())


async def test_an_older_replicas_withdraw_reaches_the_digest(chat, db):
    week, listed = await _question_in_digest(chat, narrations=True, yann=True)
    await _as_old_version(db, OLD_WITHDRAW, user="zoe")
    out = await chat.say(":advance 1m")
    assert f"[console] edited {listed} in #team" in out, out
    edited = _said_in(out, "#team thread")
    assert "zoe" not in edited and "cobol" not in edited
    assert "@yann is looking for someone who knows about “fortran”" in edited
    assert await _left(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")  # once


async def test_an_older_replicas_forget_me_removes_a_digest_there_for_it_alone(chat, db):
    week, listed = await _question_in_digest(chat)
    await _as_old_version(db, *OLD_FORGET_ME, user="zoe")
    out = await chat.say(":advance 1m")
    assert f"[console] removed {listed} from #team thread {week}" in out, out
    assert f"[console] removed {week} from #team" in out, out
    assert await _left(db) == 0


async def test_this_versions_withdraw_leaves_nothing_for_the_repair(chat, db):
    week, listed = await _question_in_digest(chat)
    out = await chat.say("zoe: /narrate ask-channel withdraw")
    assert f"[console] removed {listed} from #team thread {week}" in out, out
    assert await _left(db) == 0
    assert "removed" not in await chat.say(":advance 1m", ":advance 1h")


async def test_a_failed_edit_is_tried_again_after_its_wait(chat, db, bot, monkeypatch):
    week, listed = await _question_in_digest(chat, narrations=True)
    gateway = next(iter(bot.gateways.values()))
    real = type(gateway).update
    failing = {"left": 1}

    async def flaky(self, tenant, message_id, post) -> None:  # type: ignore[no-untyped-def]
        if failing["left"]:
            failing["left"] -= 1
            raise TimeoutError("the platform is down")
        await real(self, tenant, message_id, post)

    monkeypatch.setattr(type(gateway), "update", flaky)
    await _as_old_version(db, OLD_WITHDRAW, user="zoe")
    assert "edited" not in await chat.say(":advance 1m")  # failed: waits 2 minutes
    assert await _left(db) == 1
    assert "edited" not in await chat.say(":advance 1m")
    out = await chat.say(":advance 2m")
    assert f"[console] edited {listed} in #team" in out, out
    assert "cobol" not in _said_in(out, "#team thread")
    assert await _left(db) == 0
