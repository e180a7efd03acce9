"""A Discord group introduction that went out to everyone it could reach, but not to a member
nothing reaches (DMs closed, no channel takes the pointer), is recorded sent with that member
marked never reached in one transaction: a failure writing the mark no longer lets the outcome
commit without it (the member would be asked on Thursday whether they met people they were
never introduced to, and rested as if introduced). The transaction is tried again at once, so
a passing failure sends nobody the introduction twice. Through the real client against the
fake, the rounds through the real scheduler."""

from __future__ import annotations

import pytest

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.storage import intro_repo

from .fake import ALICE, BOB, CAROL
from .test_intro_dms_partly_sent import ASKED, _dm_tries
from .test_intro_unreachable_member_not_counted import _never_reached
from .test_intro_unreached_marks_hold import NO_PERMS, REFUSED, THURSDAY, _at, _join, _sends


async def test_a_member_nothing_reached_stays_marked_when_the_mark_hiccups(
    fake, bot: Bot, clock, connect, monkeypatch: pytest.MonkeyPatch
):
    await connect(bot)
    await _join(fake, ALICE, BOB, CAROL)
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, REFUSED, times=500)
    fake.fail("POST", r"^/channels/[1-7]\d*/messages$", 403, NO_PERMS, times=500)  # pointers
    marked = intro_repo.mark_unreached
    hiccups = [RuntimeError("database hiccup")]

    async def hiccup_once(*args: object, **kwargs: object) -> None:
        if hiccups and kwargs.get("user_ids"):
            raise hiccups.pop()
        await marked(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intro_repo, "mark_unreached", hiccup_once)

    await tick(bot, clock.now())  # Monday 10:00 UTC: the round, queued and sent
    for minute in (0, 1, 3, 7, 15):
        await _at(bot, clock, minute)
    assert not hiccups, "writing bob's mark failed once"
    assert await _sends(bot) == ["sent"]
    assert len([t for t in _dm_tries(fake, ALICE) if "zanzibar" in t]) == 1, "alice got it once"
    assert len([t for t in _dm_tries(fake, CAROL) if "zanzibar" in t]) == 1, "carol got it once"
    assert await _never_reached(bot) == {ALICE["id"]: False, BOB["id"]: True, CAROL["id"]: False}

    fake._failures.clear()  # bob opens his DMs: he'd get a question now
    clock.set(THURSDAY)
    await tick(bot, THURSDAY)
    assert [t for t in _dm_tries(fake, ALICE) if ASKED in t]
    assert [t for t in _dm_tries(fake, CAROL) if ASKED in t]
    assert not [t for t in _dm_tries(fake, BOB) if ASKED in t], "bob was never introduced"
