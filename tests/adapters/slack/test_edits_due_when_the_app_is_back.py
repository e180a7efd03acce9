"""Slack: an edit of a message the bot posted in a channel, refused while the app was out of it
(``not_in_channel``), is made at the next wake-up once the app is added to the channel again
(``member_joined_channel`` for the bot), not a week on, nor after its back-off: a who-knows
answer quoting an edited narration, a form update's post behind an older replica's edit, an
introductions channel post after a forget-me. Through the real Bolt app and slack_sdk against
the local mock Web API, as the orphaned posts' deletes already were.

Before this change only the pending deletes of orphaned update posts were made due again when
the app came back; these edits waited their week (or back-off), the old words (a password, a
forgotten person's name) staying in the channel meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, eventually
from tests.adapters.slack.test_intro_post_follows_forget_me import _forget_u2, _introduced
from tests.adapters.slack.test_update_posts import _posted_in, _prompt_ts, _submit
from tests.adapters.slack.test_who_knows_answer_follows_its_quotes import SECRET, _answered, _said

EARLY = datetime(2000, 1, 1, tzinfo=UTC)  # due at once: before any wake-up's time
OLD_EDIT = "UPDATE narration SET text = 'shipped the ledger exporter' WHERE id = :narration"


async def _scalar(slack: SlackEnv, sql: str, **values: object) -> object:
    async with slack.db.engine.connect() as conn:
        return (await conn.execute(text(sql), values)).scalar()


async def _app_back(slack: SlackEnv, channel: str, due: str) -> None:
    """An admin adds the app to ``channel`` again; waits until ``due`` (a count of rows due at
    once) says so."""
    slack.fake.members[channel] = ["UBOT", "U1", "U2", "U3"]
    await slack.event(
        {"type": "member_joined_channel", "user": "UBOT", "channel": channel, "channel_type": "C"},
        f"Ev-back-{channel}",
    )

    async def due_again() -> bool:
        return await _scalar(slack, due, early=EARLY) == 1

    await eventually(due_again)


def _updates(slack: SlackEnv, channel: str) -> list[str | None]:
    return [c.error for c in slack.fake.called("chat.update") if c.params["channel"] == channel]


async def test_a_who_knows_answer_is_edited_once_the_app_is_back(slack):
    await _answered(slack, SECRET)
    slack.fake.failures["chat.update"] = "not_in_channel"
    said = await _said(slack, "edit 1 tuned the kafka consumer lag alerts", user="U2")
    assert "still shows the old words" in said, said
    del slack.fake.failures["chat.update"]
    bot = slack.adapter.bot
    now = bot.clock.now()
    await _app_back(slack, "C1", "SELECT count(*) FROM narration_copy WHERE retry_at < :early")
    await bot.run_due(now + timedelta(minutes=1))  # the next wake-up, not a week later
    assert _updates(slack, "C1") == ["not_in_channel", None]
    edit = slack.fake.called("chat.update")[-1]
    assert "hunter2" not in str(edit.params)
    assert "tuned the kafka consumer lag alerts" in str(edit.params["text"])


async def test_an_update_post_behind_an_older_edit_is_edited_once_the_app_is_back(slack):
    thread = await _prompt_ts(slack)
    assert "Posted in the prompt's thread" in await _submit(slack, "shipped the ledger importer")
    [_post] = _posted_in(slack, thread)
    [narration] = await slack.narrations()
    async with slack.db.engine.begin() as conn:  # an older replica's /narrate edit
        await conn.execute(text(OLD_EDIT), {"narration": narration.id})
    slack.fake.failures["chat.update"] = "not_in_channel"
    bot = slack.adapter.bot
    now = bot.clock.now()
    await bot.run_due(now)  # refused: put off by the back-off (2 minutes)
    assert _updates(slack, "C1") == ["not_in_channel"]
    del slack.fake.failures["chat.update"]
    await _app_back(slack, "C1", "SELECT count(*) FROM update_post WHERE resync_at < :early")
    await bot.run_due(now + timedelta(minutes=1))  # within the back-off: due since the app is back
    assert _updates(slack, "C1") == ["not_in_channel", None]
    assert "shipped the ledger exporter" in str(slack.fake.called("chat.update")[-1].params)


async def test_an_introductions_post_is_edited_once_the_app_is_back(slack):
    ts = await _introduced(slack)
    slack.fake.failures["chat.update"] = "not_in_channel"
    told = await _forget_u2(slack)
    assert "I couldn't edit an introduction's post" in told, told
    del slack.fake.failures["chat.update"]
    bot = slack.adapter.bot
    now = bot.clock.now()
    await _app_back(slack, "CINTRO", "SELECT count(*) FROM intro_post WHERE retract_at < :early")
    await bot.run_due(now + timedelta(minutes=1))
    assert _updates(slack, "CINTRO") == ["not_in_channel", None]
    edit = slack.fake.called("chat.update")[-1]
    assert edit.params["ts"] == ts and "<@U2>" not in str(edit.params)
