"""Wording rules, parsed once in the core so every platform behaves the same."""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.durations import parse_duration, parse_timezone
from narrate_bot.knowledge.topics import extract_topics
from narrate_bot.knowledge.words import query_terms, search_terms
from narrate_bot.routing import Command, parse_command, parse_named, parse_question


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("who knows about kafka?", "kafka"),
        ("<@U0BOT> who knows about Kafka Streams?", "Kafka Streams"),
        ("@narrate anyone know terraform", "terraform"),
        ("Does anybody know about the billing cron?", "the billing cron"),
        ("who has worked on postgres replication?", "postgres replication"),
        ("who can help me with flaky CI tests", "flaky CI tests"),
        ("who's an expert in rate limiting?", "rate limiting"),
        ("who should I ask about SSO", "SSO"),
    ],
)
def test_questions_are_recognised(text, topic):
    assert parse_question(text) == topic


@pytest.mark.parametrize("text", ["shipped the importer", "hello", "who?", "knows about kafka"])
def test_other_messages_are_not_questions(text):
    assert parse_question(text) is None


@pytest.mark.parametrize(
    ("text", "action", "ordinal", "arg"),
    [
        ("", "ask_text", None, ""),
        ("help", "help", None, ""),
        ("mine", "mine", None, ""),
        ("edit 3 new words", "edit", 3, "new words"),
        ("delete #12", "delete", 12, ""),
        ("forget-me", "forget", None, ""),
        ("forget-me confirm", "forget_confirm", None, ""),
        ("forget-me-confirm", "forget_confirm", None, ""),  # Discord's name for it
        ("pause 2w", "pause", None, "2w"),
        ("who kafka streams", "who", None, "kafka streams"),
        ("who knows about kafka?", "who", None, "kafka"),
        ("team payments", "team", None, "payments"),
        ("mine and yours", "mine", None, "and yours"),  # a search, never kept
        ("help the new hire settle in", "help", None, "the new hire settle in"),
        ("pause 2 weeks", "pause", None, "2 weeks"),
        ("pause forever", "pause", None, "forever"),  # the feature explains durations
        ("team Search Infra", "team", None, "Search Infra"),
        ("timezone Europe/Berlin", "timezone", None, "Europe/Berlin"),
        ("profile @bob", "profile", None, "@bob"),
        ("remind me weekdays 16:30", "remind", None, "me weekdays 16:30"),
        ("remind me off", "remind", None, "me off"),
    ],
)
def test_commands(text, action, ordinal, arg):
    command = parse_command(text)
    assert (command.action, command.ordinal, command.arg) == (action, ordinal, arg)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("team retro went well, action items filed", "/narrate team <name>"),
        ("pause the rollout until the fix lands", "/narrate pause 2w"),
        ("timezone handling fixed for the DST switch", "/narrate timezone Area/City"),
        ("profile page redesign shipped", "/narrate profile @name"),
        ("Remind me to call the vendor about the SLA", "/narrate remind me weekdays 16:30"),
    ],
)
def test_work_that_starts_with_a_settings_word_is_a_narration_with_a_hint(text, meant):
    command = parse_command(text)
    assert (command.action, command.arg) == ("narrate", text)
    assert command.hint is not None and meant in command.hint


def test_query_terms_drop_filler_words():
    assert query_terms("the fix for our kafka consumer?") == ["kafka", "consumer"]


def test_topics_prefer_hashtags_and_fold_plurals():
    topics = extract_topics("#observability: migrations for the migration runner, migrations!")
    assert topics[0] == "observability"
    assert topics[1] == "migration"


def test_topics_are_what_it_is_about_not_what_was_done():
    topics = extract_topics("upgraded the kafka brokers and tuned consumer lag; reviewed tests")
    assert topics[:4] == ["kafka", "broker", "consumer", "lag"]
    assert not {"upgraded", "tuned", "reviewed"} & set(topics)


@pytest.mark.parametrize(
    ("word", "topic"),
    [
        ("Postgres", "postgres"),
        ("kubernetes", "kubernetes"),
        ("macOS", "macos"),
        ("queries", "query"),
        ("caches", "cache"),
        ("consumers", "consumer"),
        ("analysis", "analysis"),
    ],
)
def test_topics_fold_plurals_but_keep_names_that_end_in_s(word, topic):
    assert extract_topics(f"{word} {word}") == [topic]


@pytest.mark.parametrize(("text", "hours"), [("90m", 1.5), ("8h", 8), ("3d", 72), ("2 weeks", 336)])
def test_durations(text, hours):
    assert parse_duration(text).total_seconds() == hours * 3600


@pytest.mark.parametrize("text", ["forever", "0d", "-3d", "500d", ""])
def test_bad_durations_raise_a_readable_error(text):
    with pytest.raises(ValueError, match=r"\w"):
        parse_duration(text)


def test_timezones():
    assert parse_timezone(" Europe/Berlin ").key == "Europe/Berlin"
    for bad in ("Mars/Base", "../etc/passwd", "", "Europe"):
        with pytest.raises(ValueError, match="time zone"):
            parse_timezone(bad)


def test_a_path_in_a_question_is_also_searched_as_a_phrase():
    terms = search_terms("gopls/internal/golang: fix hover for generics")
    assert [t.words for t in terms] == [
        ("gopls",),
        ("internal",),
        ("golang",),
        ("hover",),
        ("generics",),
        ("gopls", "internal", "golang"),
    ]
    assert terms[-1].path == "gopls/internal/golang" and terms[-1].weight > 1


def test_the_area_a_question_names_is_marked():
    def areas(question: str) -> list[tuple[str, ...]]:
        return [t.words for t in search_terms(question) if t.area]

    assert areas("gopls/internal/golang: fix hover") == [("gopls", "internal", "golang")]
    assert areas("digraph: add transpose") == [("digraph",)]
    assert areas("go/types, digraph: share the walker") == [("digraph",), ("go", "types")]
    assert areas("who knows about services/payments-api retries?") == [
        ("services", "payments", "api")
    ]
    # No label: a phrase before the colon, a URL, no colon at all, a stopword label.
    assert areas("Quick question: kafka lag?") == []
    assert areas("https://example.com broken") == []
    assert areas("kafka consumer lag") == []
    assert areas("the: kafka") == []


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("schedule help", "schedule"),
        ("help schedule", "schedule"),
        ("remind help", "remind"),
        ("topics help", "topics"),
        ("stats help", "stats"),
        ("ask-me-about help", "ask-me-about"),
        ("hide-me help", "hide-me"),
        ("edit", "edit"),
        ("share", "share"),
        ("reply", "reply"),
    ],
)
def test_asking_for_help_on_a_command_is_never_stored_or_taken_as_a_topic(text, topic):
    assert parse_command(text) == Command("help", arg=topic)


@pytest.mark.parametrize(
    "text",
    ["who's an expert on kafka?", "anyone know kafka?", "Does anybody know about kafka"],
)
def test_a_question_after_narrate_is_asked_not_stored(text):
    assert parse_command(text) == Command("who", arg="kafka")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ('who "kafka"', "kafka"),
        ("who knows about “kafka”?", "kafka"),
        ("who knows about cobol? @here <@U123>", "cobol"),
        ("who <!channel> mainframes", "mainframes"),
    ],
)
def test_quotes_mentions_and_broadcasts_are_not_part_of_a_topic(text, topic):
    assert parse_command(text) == Command("who", arg=topic)


@pytest.mark.parametrize(
    "text", ["schedule weekday 16:30", "schedule every weekday at 16:30", "remind me daily 9am"]
)
def test_a_schedule_with_a_time_is_a_command_the_feature_can_explain(text):
    assert parse_command(text).action in ("schedule", "remind")


def test_a_one_word_team_may_have_a_dot():
    assert parse_command("team platform.infra") == Command("team", arg="platform.infra")


def test_how_it_went_and_when_are_never_topics():
    assert extract_topics("the release went fine this morning, finally green") == ["release"]
    assert extract_topics("morning standup went fine, finally green build") == ["build"]


def test_mentions_channels_and_links_are_never_topics():
    text = "kafka tuning, ask <@U999> in <#C777|general>, see <https://evil.example|docs> or https://x.io/a"
    assert extract_topics(text) == ["kafka", "tuning"]


@pytest.mark.parametrize("typed", ["europe/berlin", "EUROPE/BERLIN", " Europe/Berlin "])
def test_a_time_zone_is_found_whatever_its_case(typed):
    assert parse_timezone(typed).key == "Europe/Berlin"
    assert parse_timezone("america/new york").key == "America/New_York"


def test_a_zone_that_doesnt_exist_is_still_refused_kindly():
    with pytest.raises(ValueError, match="isn't a time zone I know"):
        parse_timezone("europe/atlantis")


def test_mine_searches_a_few_words_and_keeps_a_sentence():
    assert parse_command("mine kafka consumer lag") == Command("mine", arg="kafka consumer lag")
    assert parse_command("mine kafka since 2026-11-01").action == "mine"
    kept = parse_command("mine was a long day: fixed the kafka consumer lag")
    assert kept.action == "narrate" and kept.hint is not None and "/narrate mine" in kept.hint
    # Typed into Discord's search field, the words are searched for, however they read.
    assert parse_named("mine", "was a long day: kafka") == Command(
        "mine", arg="was a long day: kafka"
    )
