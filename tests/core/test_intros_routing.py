"""Introductions wording, parsed once in routing.py for every platform."""

from __future__ import annotations

from narrate_bot.routing import parse_command, parse_mention


def test_intros_wording_is_parsed_once():
    assert parse_command("intros join").action == "intros_join"
    assert parse_command("intros join now").action == "intros_help"
    assert parse_command("intros channel <#C123|intros>").arg == "C123"
    assert parse_command("intros channel #intros").hint == "intros"
    assert parse_command("intros met #12").ordinal == 12
    assert parse_command("intros not-useful 3").action == "intros_not_useful"
    assert parse_command("never-pair <@U42>").arg == "U42"
    assert parse_command("never-pair remove @Bob").arg == "bob"
    assert parse_command("never-pair remove @Bob").hint == "remove"
    assert parse_command("stats").action == "stats"
    assert parse_command("stats were great today").action == "narrate"
    assert parse_mention("bob") is None
