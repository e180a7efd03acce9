"""Discord: a who-knows answer posted in the thread on a mention quotes narrations; their
delete, edit and their author's forget-me edit that answer (its one message, in the thread),
through the real discord.py client against the repo's fake REST API and gateway, pinging
nobody, as the answer itself pings nobody."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .conftest import until
from .fake import APP, BOB, CAROL, FakeDiscord, pinged
from .test_split_answer_follows_its_quotes import _kept

SECRET = "kafka consumer lag fixed, hunter2 is the password"


def _text(body: dict[str, Any]) -> str:
    return str(body.get("content") or "") + "".join(
        str(e.get("description") or "") for e in body.get("embeds") or []
    )


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def _answered(fake: FakeDiscord, bot: Bot, connect: Any, *narrations: str) -> str:
    """Bob narrates; Carol asks by mentioning the bot: the thread the answer went to."""
    await connect(bot)
    for text in narrations:
        await _slash(fake, "narrate", who=BOB, text=text)
    asked = await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    path = f"/channels/{asked}/messages"  # the thread on the asking message has its id
    await until(lambda: any(c.status == 200 for c in fake.posted(path)), timeout=30)
    [answer] = [c.body for c in fake.posted(path) if c.status == 200]
    assert "Who knows about" in _text(answer) and "hunter2" in _text(answer)
    # The adapter tells the core where the answer went after Discord took it: a delete handled
    # before that is edited in by that late report, after the delete's own answer (a case of
    # its own: tests/scenarios/test_who_knows_answer_delete_while_posting.py).
    await _kept(bot)
    return asked


def _edits(fake: FakeDiscord, thread: str) -> list[dict[str, Any]]:
    return [c.body for c in fake.posted(f"/channels/{thread}/messages/", "PATCH")]


async def test_delete_edits_the_answer_in_its_thread(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    thread = await _answered(fake, bot, connect, SECRET)
    await _slash(fake, "narrate", who=BOB, text="delete 1")
    [edit] = _edits(fake, thread)
    assert "hunter2" not in _text(edit) and "(removed by its author)" in _text(edit)
    assert f"<@{BOB['id']}>" not in _text(edit) and "Who knows about" in _text(edit)
    assert pinged(edit) == set()


async def test_edit_refreshes_the_quote(fake: FakeDiscord, bot: Bot, connect: Any) -> None:
    thread = await _answered(fake, bot, connect, SECRET)
    await _slash(fake, "narrate", who=BOB, text="edit 1 kafka consumer lag fixed")
    [edit] = _edits(fake, thread)
    assert "hunter2" not in _text(edit) and "kafka consumer lag fixed" in _text(edit)
    assert f"<@{BOB['id']}>" in _text(edit) and pinged(edit) == set()


async def test_forget_me_of_the_quoted_person_edits_the_answer(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    thread = await _answered(fake, bot, connect, SECRET)
    await _slash(fake, "narrate", who=BOB, text="forget-me")
    await _slash(fake, "narrate", who=BOB, text="forget-me confirm")
    edits = _edits(fake, thread)
    assert edits and "hunter2" not in _text(edits[-1])
    assert f"<@{BOB['id']}>" not in _text(edits[-1])


async def test_the_askers_forget_me_leaves_the_answer_followed(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    thread = await _answered(fake, bot, connect, SECRET)
    await _slash(fake, "narrate", who=CAROL, text="forget-me")
    await _slash(fake, "narrate", who=CAROL, text="forget-me confirm")
    assert _edits(fake, thread) == []  # the answer quotes and names only Bob
    await _slash(fake, "narrate", who=BOB, text="delete 1")
    [edit] = _edits(fake, thread)
    assert "hunter2" not in _text(edit)
