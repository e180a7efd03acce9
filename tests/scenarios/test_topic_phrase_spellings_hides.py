"""A listed phrase in any spelling ("file system", "file-system", "filesystem") is one row on the
map (``spellings.Spellings``), so a hide of any spelling covers them all, wherever a hide is read
(the map, a profile, introductions, who-knows); one narration counts once however many spellings
it holds; and a Slack link's label spells symbol names, its address none."""

from __future__ import annotations

import re

import pytest

from narrate_bot.knowledge import words as w
from tests.scenarios.test_intro_reasons_without_shared_topics import _reasons, _week
from tests.scenarios.test_who_knows_ranking import people as named


@pytest.mark.parametrize(
    ("hidden", "his", "hers"),
    [
        ("filesystem", "file system cleanup", "file system quotas"),
        ("file system", "filesystem cleanup", "filesystem quotas"),
        ("filesystem", "file system cleanup", "filesystem quotas"),
        ("system", "filesystem cleanup", "filesystem quotas"),  # as "system" covers "file system"
    ],
)
async def test_intro_reason_leaves_out_a_phrase_hidden_in_another_spelling(chat, hidden, his, hers):
    """bo hid the phrase in one spelling (or its tail) and narrates it in another: it is no
    reason to introduce him, whichever spelling the week's label is."""
    await chat.say(
        "ana@payments: /narrate intros join",
        f"ana: /narrate {hers}",
        f"ana: /narrate {hers} again",
        "bo@search: /narrate intros join",
        f"bo: /narrate hide-me {hidden}",
        f"bo: /narrate {his}",
    )
    out = await _week(chat)
    reasons = _reasons(out)
    assert reasons, out
    for why in reasons:
        assert "file" not in why.lower(), out


async def test_map_row_leaves_out_who_hid_another_spelling(chat):
    await chat.say(
        "bob: /narrate hide-me filesystem",
        "bob: /narrate file system cleanup",
        "carol: /narrate filesystem quotas",
        "dan: /narrate filesystem snapshots",
    )
    out = await chat.say("zoe: /narrate topics")
    row = re.search(r"^\s*\d+\. (file[ -]?system): .*$", out, re.M)
    assert row is not None, out
    assert "@bob" not in row.group(0), out
    assert "@carol (1), @dan (1)" in row.group(0), out


async def test_profile_leaves_out_a_phrase_hidden_in_another_spelling(chat):
    await chat.say(
        "bob: /narrate hide-me file system",
        "bob: /narrate file system cleanup",
        "bob: /narrate filesystem quotas",
        "bob: /narrate filesystem snapshots",
    )
    out = await chat.say("zoe: /narrate profile @bob")
    assert "file" not in out.lower().split("narrates about")[-1].split("\n")[0], out


async def test_who_knows_leaves_out_who_hid_another_spelling(chat):
    await chat.say(
        "bob: /narrate hide-me file system",
        "bob: /narrate filesystem quotas",
        "carol: /narrate filesystem snapshots",
    )
    out = await chat.say("zoe: /narrate who knows about filesystem?")
    assert named(out) == ["carol"], out


async def test_one_narration_with_two_spellings_counts_once(chat):
    await chat.say("bob: /narrate filesystem (the file system under /srv) cleanup")
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"\d+\. file ?system: 1 narration · @bob \(1\)$", out, re.M), out


def test_phrase_stems_only_for_listed_phrases():
    from narrate_bot.knowledge.topic_match import phrase_stems

    every = frozenset({"file", "system", "filesystem"})
    assert phrase_stems("file system") == every
    assert phrase_stems("file-system") == every
    assert phrase_stems("Filesystems") == every
    # Not listed, or the words apart: nothing more than the words' own stems.
    assert phrase_stems("file path") == frozenset()
    assert phrase_stems("filepath") == frozenset()
    assert phrase_stems("the file emacs wrote") == frozenset()
    assert phrase_stems("system design") == frozenset()


def test_slack_link_label_spells_symbol_names():
    text = "wrote the <https://wiki.example/build|C++ style guide> for the engine"
    assert w.spelled_symbol_names(text) == ["C++"]
    assert "sym0c0plus0" in (w.index_text(text) or "")
    [term] = [t for t in w.search_terms("who knows about C++?") if t.literal]
    assert w.spells(term, text)


def test_slack_auto_link_label_spells_nothing():
    # Slack's copy of a pasted address, and an address alone, are the link, not words.
    for text in ("see <https://x.dev/c++|x.dev/c++> now", "see <https://x.dev/c++> now"):
        assert w.spelled_symbol_names(text) == [], text
        assert "sym0" not in (w.index_text(text) or ""), text
