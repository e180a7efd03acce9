"""On Slack, through signed slash commands into the real Bolt app and slack_sdk against the mock
Web API: two people with no topic in common are introduced with a reason that says what each
narrates (or the topic one is happy to be asked about that the other narrates), as Slack
mentions, in the group DM's text and its blocks alike."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.adapters.slack.conftest import SlackEnv, until

PEOPLE = {"U1": ("ana", "payments"), "U2": ("bo", "search")}


async def _two_join(slack: SlackEnv, *said: tuple[str, str]) -> None:
    for uid, (name, _team) in PEOPLE.items():
        slack.fake.users[uid] = {"id": uid, "name": name, "team_id": "T1"}
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    lines = [(uid, f"team {team}") for uid, (_, team) in PEOPLE.items()]
    lines += [(uid, "intros join") for uid in PEOPLE]
    lines += [(uid, text) for text, uid in said]
    # One at a time: a command is acked before it runs, and two running side by side could
    # meet bo before ana. Who the bot met first comes first in an introduction's reason, so the
    # order the lines were typed in must be the order they were handled in.
    for done, (uid, text) in enumerate(lines, start=1):
        await slack.command(text, user=uid)
        await until(lambda done=done: len(slack.fake.responses) >= done)


def _introduction(slack: SlackEnv) -> tuple[str, str]:
    """The group DM's text and its blocks' text."""
    [post] = [
        c for c in slack.fake.called("chat.postMessage") if "Introduction #1" in str(c.params)
    ]
    blocks = post.params.get("blocks") or "[]"
    return str(post.params["text"]), json.dumps(blocks if isinstance(blocks, list) else blocks)


async def test_what_each_narrates_is_said_with_slack_mentions(slack):
    await _two_join(
        slack,
        ("payments retries after the gateway timeout", "U1"),
        ("payments retries with backoff", "U1"),
        ("kafka consumers rebalancing", "U2"),
    )
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    text, blocks = _introduction(slack)
    why = (
        "Why: <@U1> narrates about payment and retry, <@U2> about consumer and kafka; "
        "payments and search haven't been introduced yet."
    )
    assert why in text
    assert "<@U1> narrates about payment and retry" in blocks
    assert "introduced recently" not in text


async def test_a_declared_topic_the_other_narrates_is_the_reason(slack):
    await _two_join(
        slack,
        ("ledger exports", "U1"),
        ("ask-me-about terraform", "U1"),
        ("terraform state locking", "U2"),
    )
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    text, _ = _introduction(slack)
    assert (
        "Why: <@U1> is happy to be asked about terraform, which <@U2> narrated about in the "
        "last three months; payments and search haven't been introduced yet." in text
    )
