"""A "still open?" DM whose retry waited out its asker's pause is not sent once the question is
past the follow-up's cut-off (three waits, 42 days), through the real Bolt app and the mock Web
API.

Found in review: a retry was held while its asker was paused and sent the moment the pause
ended, however late: an asker back from seven weeks away got "is it still open?" about a
question the bot had stopped following at 42 days (a first DM never starts past then; its
retry is the same DM, so it doesn't either). The second DM has no cut-off (the asker asked for
it, and a paused asker is asked once back), so its retry still comes after a long pause.
"""

from __future__ import annotations

import html
from datetime import timedelta

from narrate_bot.app import Bot
from narrate_bot.storage.question_nudges import TOO_OLD
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_open_question_nudge_retry_paths import _arrived, _tries
from tests.adapters.slack.test_open_question_nudges import _buttons, _nudges, _press
from tests.adapters.slack.test_open_question_post_lost import _asked, _rows, _said


async def _first_dm_failed_then_paused(slack: SlackEnv, bot: Bot, pause: str) -> None:
    await _asked(slack, "cobol")
    slack.fake.failures["chat.postMessage"] = "service_unavailable"
    await bot.run_due(bot.clock.now() + timedelta(days=14))
    del slack.fake.failures["chat.postMessage"]
    assert [t["error"] for t in _tries(slack)] == ["service_unavailable"]
    told = await _said(slack, f"pause {pause}")  # before the retry's 2 minutes are up
    assert "pause" in told.lower(), told


async def test_a_retry_held_past_the_cut_off_by_a_pause_is_never_sent(slack: SlackEnv, bot: Bot):
    asked = bot.clock.now()
    await _first_dm_failed_then_paused(slack, bot, "40d")  # back on day 54
    assert bot.settings.question_nudge_days * TOO_OLD == 42

    await bot.run_due(asked + timedelta(days=60))
    assert len(_tries(slack)) == 1  # not sent when the pause ended on day 54
    await bot.run_due(asked + timedelta(days=200))
    assert _arrived(slack) == []
    assert [r.status for r in await _rows(slack)] == ["open"]  # never closed on its own


async def test_a_retry_held_by_a_shorter_pause_comes_when_it_ends(slack: SlackEnv, bot: Bot):
    """Coverage (worked before): back on day 24, well before the cut-off, the DM comes then."""
    asked = bot.clock.now()
    await _first_dm_failed_then_paused(slack, bot, "10d")
    await bot.run_due(asked + timedelta(days=23))
    assert len(_tries(slack)) == 1  # still paused
    await bot.run_due(asked + timedelta(days=25))
    [dm] = _arrived(slack)
    assert "— “cobol” — is it still open?" in html.unescape(dm)


async def test_the_second_dms_retry_still_comes_after_a_long_pause(slack: SlackEnv, bot: Bot):
    """Coverage (worked before): the asker said "still open", so the last DM has no cut-off."""
    asked = bot.clock.now()
    await _asked(slack, "cobol")
    await bot.run_due(asked + timedelta(days=14))
    await until(lambda: len(_nudges(slack)) == 1)
    _, still, _ = (value for _, value in _buttons(_nudges(slack)[0]))
    await _press(slack, still, 1)
    slack.fake.failures["chat.postMessage"] = "service_unavailable"
    await bot.run_due(asked + timedelta(days=28, minutes=1))
    del slack.fake.failures["chat.postMessage"]
    assert [t["error"] for t in _tries(slack)] == [None, "service_unavailable"]
    await _said(slack, "pause 40d")  # back on day 68

    await bot.run_due(asked + timedelta(days=67))
    assert len(_tries(slack)) == 2
    await bot.run_due(asked + timedelta(days=69))
    _, last = _arrived(slack)
    assert "This is the last time I ask" in last
