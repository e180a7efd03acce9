"""A "still open?" DM's retry dropped at the question's cut-off (42 days) shows no next try.

Found in review: a first DM's retry held past the cut-off by its asker's pause was never sent,
as it should be, but kept its ``retry_at``: the asker's export went on saying
``"next_try_at": "…"`` for a DM that would never come, and anything reading the column read it
as due. It is cleared at the cut-off now; the failed try stays counted.
"""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.app import Bot
from narrate_bot.storage.privacy import export_person
from narrate_bot.storage.tables import Person
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_open_question_nudge_retry_cut_off import (
    _first_dm_failed_then_paused,
)
from tests.adapters.slack.test_open_question_nudge_retry_paths import _arrived, _tries
from tests.adapters.slack.test_open_question_post_lost import _rows


async def _follow_up(slack: SlackEnv) -> dict[str, object]:
    [row] = await _rows(slack)
    async with slack.db.transaction() as session:
        person = await session.get(Person, row.person_id)
        assert person is not None
        data = await export_person(session, person=person)
    [question] = data["open_questions"]
    follow_up = question["follow_up"]
    assert isinstance(follow_up, dict)
    return follow_up


async def test_a_retry_dropped_at_the_cut_off_shows_no_next_try(slack: SlackEnv, bot: Bot):
    asked = bot.clock.now()
    await _first_dm_failed_then_paused(slack, bot, "40d")  # back on day 54
    assert (await _follow_up(slack))["next_try_at"] is not None  # waiting for the return

    await bot.run_due(asked + timedelta(days=60))
    follow_up = await _follow_up(slack)
    assert follow_up["next_try_at"] is None, follow_up
    assert follow_up["failed_tries"] == 1 and follow_up["times_asked"] == 1
    assert len(_tries(slack)) == 1 and _arrived(slack) == []
    assert [r.status for r in await _rows(slack)] == ["open"]


async def test_a_retry_of_an_asker_who_is_back_in_time_is_still_sent(slack: SlackEnv, bot: Bot):
    """Coverage (worked before): back on day 24, the retry goes out and is no longer due."""
    asked = bot.clock.now()
    await _first_dm_failed_then_paused(slack, bot, "10d")
    await bot.run_due(asked + timedelta(days=60))
    assert len(_arrived(slack)) == 1
    assert (await _follow_up(slack))["next_try_at"] is None
