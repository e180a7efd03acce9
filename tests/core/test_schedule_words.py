"""Reading schedule commands: days, times, channels and ranges, with friendly refusals."""

from __future__ import annotations

from datetime import date, time

import pytest

from narrate_bot.knowledge.fire_times import describe_days, parse_days
from narrate_bot.knowledge.schedule_words import (
    ChannelMention,
    parse_remind,
    parse_schedule,
    parse_timing,
)
from narrate_bot.routing import parse_command, parse_named


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("weekdays", "weekdays"),
        ("daily", "daily"),
        ("mon,wed,fri", "mon,wed,fri"),
        ("mon-thu", "mon,tue,wed,thu"),
        ("fri-mon", "mon,fri,sat,sun"),
        ("Thursday", "thu"),
        ("sat,sun", "weekends"),
    ],
)
def test_days(text, described):
    assert describe_days(parse_days(text)) == described


def test_a_slack_channel_mention_a_zone_and_a_range():
    request = parse_schedule("<#C0123|team> weekdays 16:30 Europe/Berlin")
    assert request.channel == ChannelMention("C0123", "team")
    assert request.timing is not None and request.timing.at == time(16, 30)
    assert request.timing.zone == "Europe/Berlin"
    skip = parse_schedule("skip #team 2026-12-24..2026-12-26")
    assert (skip.first_day, skip.last_day) == (date(2026, 12, 24), date(2026, 12, 26))


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("#team weekdays", "Give the days, a time"),
        ("#team someday 09:00", "isn't a day I know"),
        ("#team daily 9.30", "24-hour HH:MM"),
        ("skip 2026-12-26..2026-12-24", "ends before it starts"),
        ("skip 2026-02-30", "isn't a date"),
        ("remove", "Which one?"),
        ("remove 99999999999999999999", "Which one?"),
        ("remove ²", "Which one?"),
        ("remove 1 2", "Which one?"),
        ("reminder #team maybe", "Say on or off"),
    ],
)
def test_bad_schedule_commands_say_how_to_write_them(arg, message):
    with pytest.raises(ValueError, match=message):
        parse_schedule(arg)


def test_a_schedule_id_is_read_like_a_narration_id():
    assert parse_schedule("remove #12").number == 12
    assert parse_schedule("stop 999999999").number == 999_999_999


def test_weekly_timings_want_one_day():
    assert parse_timing(["thu", "10:00"], weekly=True).days == 1 << 3
    with pytest.raises(ValueError, match="one day"):
        parse_timing(["weekdays", "10:00"], weekly=True)


def test_remind():
    assert parse_remind("").action == "show"
    assert parse_remind("off").action == "off"
    request = parse_remind("me weekdays 09:30")
    assert request.timing is not None and request.timing.at == time(9, 30)


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("schedule list", "schedule"),
        ("schedule #team weekdays 16:30", "schedule"),
        ("schedule weekdays 16:30", "schedule"),
        ("schedule", "schedule"),
        ("schedule slipped again on the importer", "narrate"),
        ("remind me daily 09:00", "remind"),
        ("remind the team about the retro", "narrate"),
        ("reply 12", "reply"),
        ("reply times are slow in search", "narrate"),
        ("intros schedule mon 10:00", "intros_schedule"),
        ("workspace-timezone Europe/Berlin", "workspace_timezone"),
    ],
)
def test_routing_keeps_narrations_that_merely_start_with_a_command_word(text, action):
    assert parse_command(text).action == action


def test_a_day_that_isnt_one_is_quoted_as_written():
    from narrate_bot.knowledge.fire_times import parse_days

    with pytest.raises(ValueError, match="'weekday' isn't a day I know"):
        parse_days("weekday")
    with pytest.raises(ValueError, match="'monkey' isn't a day"):
        parse_days("monkey")
    assert parse_days("tues") == parse_days("tue")


@pytest.mark.parametrize(
    "text",
    [
        "schedule unskip 2026-11-24..2026-12-31",
        "schedule skips",
        "schedule skips #team",
        "schedule undo 2026-11-24",
        "schedule unskip #team 2026-11-24",
        "schedule slipped",
    ],
)
def test_words_after_schedule_that_arent_a_sentence_are_a_command_never_a_narration(text):
    assert parse_command(text).action == "schedule"


def test_a_sentence_after_schedule_stays_a_narration_with_a_hint():
    command = parse_command("schedule slipped again on the importer")
    assert command.action == "narrate" and command.hint is not None
    assert "/narrate help schedule" in command.hint


@pytest.mark.parametrize(
    ("arg", "action", "channel"),
    [
        ("skips", "skips", None),
        ("skips #team", "skips", "team"),
        ("skip list", "skips", None),
        ("unskip 2026-11-24..2026-12-31", "unskip", None),
        ("unskip #team 2026-11-24", "unskip", "team"),
        ("unskip 2026-11-24 #team", "unskip", "team"),
        ("skip remove 2026-11-24..2026-12-31", "unskip", None),
        ("skip 2026-12-24 #team", "skip", "team"),
    ],
)
def test_skips_are_listed_and_taken_back(arg, action, channel):
    request = parse_schedule(arg)
    assert request.action == action
    assert (request.channel.name if request.channel else None) == channel


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("undo 2026-11-24", "There's no /narrate schedule undo"),
        ("slipped", "There's no /narrate schedule slipped"),
        ("unskip", "/narrate schedule unskip 2026-12-24"),
        ("unskip 2026-12-31..2026-11-24", "ends before it starts"),
        ("skips tomorrow", "skips #channel"),
        ("weekday 16:30", "'weekday' isn't a day"),
    ],
)
def test_unknown_and_bad_skip_words_are_explained(arg, message):
    with pytest.raises(ValueError, match=message):
        parse_schedule(arg)


def _zone_spelling(word: str) -> str | None:
    zones = {"utc": "UTC", "europe/berlin": "Europe/Berlin", "met": "MET", "japan": "Japan"}
    return zones.get(word.casefold())


@pytest.mark.parametrize(
    ("text", "zone", "question"),
    [
        ("#team weekdays 16:30 What did you ship today?", None, "What did you ship today?"),
        ("#team weekdays 16:30 UTC What did you ship today?", "UTC", "What did you ship today?"),
        ("weekdays 16:30 Europe/Berlin", "Europe/Berlin", None),
        # Shaped like Area/City: the zone, mistyped or not (explained later), never the question.
        ("weekdays 16:30 Europe/Berln Anything new?", "Europe/Berln", "Anything new?"),
        ("weekdays 16:30 CI/CD: what broke?", None, "CI/CD: what broke?"),
        # A zone without an area that is also a word: the zone only as the zone spells it,
        # before a question that starts anew, or alone.
        ("fri 16:00 Met anyone new this week?", None, "Met anyone new this week?"),
        ("fri 16:00 MET anyone new this week?", None, "MET anyone new this week?"),
        ("fri 16:00 Japan launch?", None, "Japan launch?"),
        ("fri 16:00 japan How was it?", None, "japan How was it?"),
        ("fri 16:00 MET What shipped?", "MET", "What shipped?"),
        ("fri 16:00 met", "met", None),
        ("fri 16:00 utc what shipped?", "utc", "what shipped?"),
        ("fri 16:00 europe/berlin what shipped?", "europe/berlin", "what shipped?"),
    ],
)
def test_a_prompts_question_follows_its_time_and_zone(text, zone, question):
    request = parse_schedule(text, zone_spelling=_zone_spelling)
    assert request.action == "add" and request.timing is not None
    assert (request.timing.zone, request.question) == (zone, question)


@pytest.mark.parametrize(
    ("text", "number", "question"),
    [
        ("question 2 What did you ship today?", 2, "What did you ship today?"),
        ("question #2 default", 2, None),
        ("question 2 Reset", 2, None),
        ("question 2", 2, ""),  # shows the current one
    ],
)
def test_a_prompts_question_changed_by_number(text, number, question):
    request = parse_schedule(text)
    assert (request.action, request.number, request.question) == ("question", number, question)


@pytest.mark.parametrize("text", ["question", "question #team What now?", "question two"])
def test_a_question_without_a_number_says_how(text):
    with pytest.raises(ValueError, match="Give its number from /narrate schedule list"):
        parse_schedule(text)
    # Explained, never kept: "question two" is answered as a command attempt, quoted back.
    assert parse_command(f"schedule {text}").action in ("schedule", "unparsed")
    assert parse_named("schedule", text).action == "schedule"  # Discord's own subcommand


@pytest.mark.parametrize(
    "text",
    [
        "schedule question for the offsite: do we keep fridays free for focus work?",
        "schedule questions came up in the retro, we agreed on fridays",
        "mine was a long day: fixed the kafka consumer lag",
        "mine is done, the runbook too",
        "mine the logs for errors before the retro",
    ],
)
def test_sentences_opening_with_mine_or_schedule_question_are_narrations(text):
    assert parse_command(text).action == "narrate"
