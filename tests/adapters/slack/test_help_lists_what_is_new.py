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


async def test_help_names_still_open_with_the_other_question_commands(slack):
    """The follow-up DM about an open question offers ``ask-channel still-open q<n>``; help
    named only ``answered|withdraw``, so someone typing it, or looking it up, found nothing."""
    await slack.command("help")
    await until(lambda: slack.fake.responses)
    lines = as_read(slack.fake.responses[-1]).splitlines()
    line = (
        "/narrate ask-channel still-open q<n>: keep question q<n> open (its follow-up DM names it)"
    )
    assert line in lines, lines
    # With the other question commands.
    assert lines[lines.index(line) - 1].startswith("/narrate ask-channel answered|withdraw")
    await slack.command("help still-open")
    await until(lambda: len(slack.fake.responses) > 1)
    assert as_read(slack.fake.responses[-1]).splitlines()[0] == line
