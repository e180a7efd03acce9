"""/narrate topics: who narrates what lately, trimmed to what the asker may read."""

from __future__ import annotations

from datetime import timedelta


async def test_the_map_lists_recent_topics_with_their_people(chat, clock):
    await chat.say("dave: /narrate terraform modules for the old cluster")
    clock.advance(timedelta(weeks=5))
    await chat.say(
        "bob: /narrate kafka brokers upgrade",
        "bob: /narrate kafka consumer lag",
        "carol: /narrate kafka streams prototype",
        "erin: /narrate ledger reconciliation",
    )
    out = await chat.say("zoe: /narrate topics")
    assert out.startswith("[only zoe in #general] What people here narrated about")
    assert "1. kafka: 3 narrations · @bob (2), @carol (1)" in out
    assert "ledger: 1 narration · @erin (1)" in out
    assert "terraform" not in out  # older than four weeks


async def test_the_map_never_shows_private_channels_to_outsiders_nor_dms(chat):
    await chat.say(
        ":channel #secret private alice,carol",
        "carol in #secret: /narrate zanzibar acquisition diligence",
        "dan in dm: /narrate quokka personal notes",
        "erin: /narrate ledger reconciliation",
    )
    out = await chat.say("zoe: /narrate topics")
    assert "zanzibar" not in out and "@carol" not in out
    assert "quokka" not in out and "@dan" not in out
    assert "ledger" in out
    out = await chat.say("alice: /narrate topics")
    assert "zanzibar: 1 narration · @carol (1)" in out
    assert "quokka" not in out  # a DM is nobody's evidence, not even on the map
    # The map follows membership at once.
    await chat.say(":channel #secret private carol")
    assert "zanzibar" not in await chat.say("alice: /narrate topics")


async def test_hidden_paused_and_departed_people_are_left_off_the_map(chat):
    await chat.say(
        "bob: /narrate kafka brokers",
        "carol: /narrate kafka streams",
        "dan: /narrate kafka connect",
        "erin: /narrate kafka lag",
    )
    await chat.say("bob: /narrate hide-me kafka", "carol: /narrate pause 1w", "dan: /narrate leave")
    out = await chat.say("zoe: /narrate topics")
    kafka = next(line for line in out.splitlines() if "kafka:" in line)
    assert kafka.endswith("kafka: 1 narration · @erin (1)")
    assert "@carol" not in out and "@dan" not in out
    assert "broker: 1 narration · @bob (1)" in out  # hidden from kafka only


async def test_an_empty_map_says_how_to_start_it(chat):
    out = await chat.say("zoe: /narrate topics")
    assert "Nothing narrated in the last 4 weeks" in out


async def test_the_map_shows_five_people_a_topic_and_counts_the_rest(chat):
    for i in range(7):
        await chat.say(f"p{i}: /narrate terraform state number {i}")
        # Half the people narrating, not most: terraform is numbered (``common_to_most``).
        await chat.say(f"q{i}: /narrate kafka lag number {i}")
    out = await chat.say("zoe: /narrate topics")
    line = next(x for x in out.splitlines() if "terraform:" in x)
    assert line.count("@p") == 5 and line.endswith("and 2 more")
