"""An asker who leaves the workspace no longer leaves their open questions waiting for ever.

Before, a deactivated asker's question stayed open: digests listed it, and its post in
#questions still asked people to reply in its thread, to nobody. Now it is closed as withdrawn
and its post says so (the post stays: its thread may hold answers, and a departure erases
nothing); forget-me still deletes posts and rows. ``user_change`` comes signed into the real
Bolt app; the edit goes to the local mock Web API.
"""

from __future__ import annotations

import html
from datetime import timedelta

from sqlmodel import select

from narrate_bot.storage.question_tables import OpenQuestion
from tests.adapters.slack.conftest import SlackEnv, eventually, until


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _statuses(slack: SlackEnv) -> list[str]:
    async with slack.db.transaction() as session:
        rows = await session.exec(select(OpenQuestion.status).order_by(OpenQuestion.id))
        return list(rows.all())


async def test_a_departed_askers_question_is_closed_and_its_post_says_so(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    assert (await _said(slack, "ask-channel <#CQ|questions> cobol")).startswith("Posted")
    assert (await _said(slack, "ask-channel <#CQ|questions> rexx", user="U3")).startswith("Posted")
    [cobol_ts, _] = [  # the mock's ts counts every message it took
        f"1700000000.{i + 1:06d}"
        for i, c in enumerate(slack.fake.called("chat.postMessage"))
        if c.params["channel"] == "CQ"
    ]

    gone = {"id": "U1", "name": "ann", "deleted": True}
    status, _, _ = await slack.event({"type": "user_change", "user": gone}, "Ev-ann-gone")
    assert status == 200

    async def closed() -> bool:
        return await _statuses(slack) == ["withdrawn", "open"]

    await eventually(closed)
    await until(lambda: bool(slack.fake.called("chat.update")))
    [edit] = slack.fake.called("chat.update")
    assert (edit.params["channel"], edit.params["ts"]) == ("CQ", cobol_ts)
    assert html.unescape(str(edit.params["text"])) == (
        "<@U1> was looking for someone who knows about “cobol”, but is no longer here, so this "
        "question is closed; no need to answer it."
    )
    assert slack.fake.called("chat.delete") == []  # a departure erases nothing


async def test_a_departure_found_before_introductions_closes_the_question_too(slack):
    """No ``user_change`` reached the bot: the check of deactivated accounts before the weekly
    introductions (``users.list``) finds it, and closes the question the same way."""
    for uid, name in (("U1", "ann"), ("U2", "bob"), ("U3", "cy")):
        slack.fake.users[uid] = {"id": uid, "name": name, "team_id": "T1"}
        await slack.command("intros join", user=uid)
        await slack.command("kafka consumer lag dashboards", user=uid)
    await until(lambda: len(slack.fake.responses) >= 6)
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: len(slack.fake.responses) >= 7)
    assert (await _said(slack, "ask-channel <#CQ|questions> cobol")).startswith("Posted")

    slack.fake.users["U1"]["deleted"] = True
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=8))

    assert await _statuses(slack) == ["withdrawn"]
    [edit] = [c for c in slack.fake.called("chat.update") if c.params["channel"] == "CQ"]
    assert "is no longer here, so this question is closed" in html.unescape(
        str(edit.params["text"])
    )
