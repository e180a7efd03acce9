"""Someone whose Slack account was deactivated while the bot didn't keep departures (before
migration 0012, or an older version that ignored ``user_change``'s ``deleted``) is never
introduced: before the weekly introductions the Slack gateway reads ``users.list`` (page by
page, through the workspace's limiter, waiting out a 429) and marks the deactivated departed, so
they are no longer suggested or reminded either."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from narrate_bot_adapters.slack import gateway as slack_gateway
from tests.adapters.slack.conftest import SlackEnv, until

PEOPLE = {"U1": "alice", "U2": "bob", "U3": "carol"}


async def _three_narrate_and_join(slack: SlackEnv) -> None:
    for uid, name in PEOPLE.items():
        slack.fake.users[uid] = {"id": uid, "name": name, "team_id": "T1"}
    for i in range(4, 8):  # others in the workspace who never used the bot
        slack.fake.users[f"U{i}"] = {"id": f"U{i}", "name": f"user{i}", "team_id": "T1"}
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    for uid in PEOPLE:
        await slack.command("intros join", user=uid)
        await slack.command("kafka consumer lag dashboards", user=uid)
    await until(lambda: len(slack.fake.responses) >= 2 * len(PEOPLE))


async def _departed(slack: SlackEnv) -> set[str]:
    async with slack.db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT user_id FROM person WHERE departed_at IS NOT NULL"))
        return set(rows.scalars())


def _reached(slack: SlackEnv) -> set[str]:
    """Everyone a post or a DM went to or named."""
    reached: set[str] = set()
    for call in slack.fake.called("conversations.open"):
        reached |= set(str(call.params["users"]).split(","))
    for call in slack.fake.called("chat.postMessage"):
        reached |= {uid for uid in PEOPLE if uid in str(call.params)}
    return reached


async def test_an_account_deactivated_unheard_is_not_introduced(slack, monkeypatch):
    # Several pages from a small workspace.
    monkeypatch.setattr(slack_gateway, "USERS_PAGE", 2, raising=False)
    await _three_narrate_and_join(slack)
    slack.fake.users["U3"]["deleted"] = True  # no user_change reached the bot
    slack.fake.rate_limit_once["users.list"] = 1
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))

    assert "U1" in _reached(slack) and "U2" in _reached(slack)
    assert "U3" not in _reached(slack)
    assert await _departed(slack) == {"U3"}
    pages = slack.fake.called("users.list")
    assert len(pages) == 4  # seven accounts, two a page
    assert all(call.params.get("limit") == "2" for call in pages)
    limited = [c for c in slack.fake.calls if c.method == "users.list" and c.status == 429]
    assert len(limited) == 1 and pages[0].at - limited[0].at >= 0.9  # Retry-After waited out


async def test_when_slack_cant_list_people_introductions_still_go_out(slack):
    await _three_narrate_and_join(slack)
    slack.fake.failures["users.list"] = "missing_scope"
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    assert _reached(slack) & set(PEOPLE)
    assert await _departed(slack) == set()
