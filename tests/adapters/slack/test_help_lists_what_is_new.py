"""Slack: ``/narrate help`` names every command people can use, the newer ones included, and
how to ask for help with work. Signed HTTP into the real Bolt app."""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.fake_slack import shown as as_read


async def test_help_names_the_newer_commands(slack):
    await slack.command("help")
    await until(lambda: slack.fake.responses)
    shown = as_read(slack.fake.responses[-1])
    for line in (
        "/narrate note <text>: keep it as written",
        "/narrate mine <words> · mine since <date>",
        "/narrate follow <topic> · unfollow <topic>|all",
        "/narrate intros skip [3w|until <date>|off] · /narrate intros every week|2w|4w",
        # A setting whose value may be left out to show it.
        "/narrate schedule updates #channel [thread|off]: post form updates",
        # Asked for help with work, the bot answers who knows.
        '("help me with …"): people and why',
    ):
        assert line in shown, (line, shown)
