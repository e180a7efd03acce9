"""Which first words are read as a mistyped command (``knowledge.command_typos``, used by
``routing.parse_command``): "folow kafka" was kept as a public narration. The rule must never
take an update that opens with an ordinary word close to a command word."""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.command_typos import distance
from narrate_bot.routing import parse_command

# Realistic status updates, each opening with a word one or two slips from a command word
# (or a form of one): all stay narrations.
UPDATES = [
    "fixed the flaky login test",
    "shipped the importer",
    "profiled the api",
    "profiled checkout latency",
    "profiler output attached",
    "mined logs",
    "mined the access logs for 500s",
    "noted the outage timeline",
    "noted",
    "paused the rollout",
    "paused canary",
    "joined the oncall",
    "joined oncall",
    "leaves approved",
    "leaves planning done",
    "forgot to rotate the keys, done now",
    "forgot the keys",
    "fellow engineers onboarded",
    "expert review booked",
    "experts call moved",
    "replay tests fixed",
    "replay tooling",
    "rewind script",
    "state machine refactor",
    "states cleanup",
    "statsd exporter",
    "exporter rewritten",
    "lease renewal",
    "research spike",
    "report generator",
    "reports",
    "import pipeline green",
    "imported the dump",
    "optics",
    "topical search",
    "topology diagram",
    "setting up kafka",
    "settled the dispute",
    "shared the deck",
    "sharded the users table",
    "shape checks",
    "sharp edges filed down",
    "sharded",
    "deleted stale branches",
    "deletes batched",
    "edited the runbook",
    "searched the archive",
    "listed the blockers",
    "stopped the bleed",
    "skipped standup",
    "rescheduled the demo",
    "scheduler fixed",
    "remained on call",
    "reminder emails sent",
    "resumed the migration",
    "result table",
    "topic modelling spike",
    "intro deck",
    "introduction email drafted",
    "teams sync",
    "helped bob",
    "helper script",
    "configs cleaned",
    "confirm dialog",
    "timeline reviewed",
    "subscriber count",
    "follows the spec now",
    "followup with legal",
    "follower lag fixed",
    "unfollowed noisy channels",
    "stats dashboard redesign done",
    "status page redesign",
    "pauses in gc",
    "cause found",
    "parse errors",
]


@pytest.mark.parametrize("text", UPDATES)
def test_an_update_near_a_command_word_is_a_narration(text):
    assert parse_command(text).action == "narrate", text


SLIPS = [
    ("folow kafka", "follow kafka"),
    ("follw kafka", "follow kafka"),
    ("fllow kafka", "follow kafka"),
    ("unfolow kafka", "unfollow kafka"),
    ("unfollw kafka, stuck", "unfollow kafka, stuck"),
    ("topcis", "topics"),
    ("topic", "topics"),
    ("tpoics", "topics"),
    ("profil", "profile"),
    ("profle @bob", "profile @bob"),
    ("shedule list", "schedule list"),
    ("scheudle list", "schedule list"),
    ("timezon Europe/Berlin", "timezone Europe/Berlin"),
    ("pasue 2w", "pause 2w"),
    ("resme", "resume"),
    ("jion", "join"),
    ("hepl", "help"),
    ("exprot", "export"),
    ("intors", "intros"),
    ("delte 3", "delete 3"),
    ("unshrae 2", "unshare 2"),
    ("hide-em kafka", "hide-me kafka"),
]


@pytest.mark.parametrize(("typed", "meant"), SLIPS)
def test_a_mistyped_command_word_is_answered_with_what_was_meant(typed, meant):
    command = parse_command(typed)
    assert command.action == "unparsed", command
    assert command.hint is not None and f"Did you mean /narrate {meant}?" in command.hint


def test_a_slip_of_a_word_that_isnt_a_command_says_what_does_the_job():
    command = parse_command("serach kafka")
    assert command.action == "unparsed"
    assert command.hint is not None and "/narrate who <topic>" in command.hint


def test_a_sentence_after_a_slip_is_still_work():
    assert parse_command("folow up with the vendor, done").action == "narrate"
    assert parse_command("topic modelling spike went well").action == "narrate"


def test_distance_counts_a_swap_as_one_slip():
    assert distance("topcis", "topics") == 1
    assert distance("folow", "follow") == 1
    assert distance("scheudle", "schedule") == 1
    assert distance("optics", "topics") == 2
