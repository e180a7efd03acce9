"""Review fixes, through the console: joining introductions after leaving narrate-bot says you're
back, a team's stats figure counts only people really taking part, a reason claims overlapping
working hours only when both time zones are known, and hide-me / ask-me-about / the topic map
fold accents the way the search does."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from narrate_bot.replies import Post
from narrate_bot.storage.preference_tables import HIDE_ME, TopicPreference
from narrate_bot.storage.tables import Person
from narrate_bot_adapters.console.adapter import TENANT


async def _run_week(bot, chat, clock) -> list[Post]:
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


def _why(post: Post) -> str:
    return post.text.split("Why: ", 1)[1].split("\n", 1)[0].rstrip(".")


# -------------------------------------------------------- intros join after leaving narrate-bot


async def test_joining_introductions_after_leaving_says_you_are_back(chat, clock):
    await chat.say(
        ":tz bob Europe/Berlin",
        "bob@search: /narrate kafka consumer lag tuning",
        "bob: /narrate remind me weekdays 09:30",
        "bob: /narrate leave",
    )
    out = await chat.say("bob: /narrate intros join")
    assert "You're in the weekly introductions" in out
    # Joining brings back the reminder and who-knows answers: the reply must say so.
    assert "Welcome back: you're taking part again. /narrate leave stops it any time." in out
    clock.advance(timedelta(days=1))
    assert "@bob" in await chat.say("alice: /narrate who kafka")


async def test_already_in_introductions_but_left_narrate_bot_is_told_too(chat):
    await chat.say(
        "bob@search: /narrate intros join",
        "bob: /narrate kafka consumer lag",
        "bob: /narrate leave",  # leaves narrate-bot; the introductions row stays
    )
    out = await chat.say("bob: /narrate intros join")
    assert "You're already in the weekly introductions." in out
    assert "Welcome back: you're taking part again." in out


async def test_a_first_intros_join_says_you_take_part_in_narrate_bot(chat):
    out = await chat.say("carol@infra: /narrate intros join")
    assert "You're now taking part in narrate-bot." in out
    again = await chat.say("carol: /narrate intros join")
    assert again.strip().endswith("You're already in the weekly introductions.")


# ------------------------------------------------------------------ stats: who takes part


async def _payments_and_search(chat, *, paused: bool, narrates: bool) -> None:
    for i in range(4):
        await chat.say(f"p{i}@payments: /narrate intros join", f"p{i}: /narrate ledger {i}")
    await chat.say("p4@payments: /narrate intros join")
    if narrates:
        await chat.say("p4: /narrate ledger 4")
    if paused:
        await chat.say("p4: /narrate pause 8w")
    await chat.say("s0@search: /narrate intros join", "s0: /narrate ledger search")


async def test_a_paused_fifth_person_does_not_unlock_a_teams_figure(bot, chat, clock):
    await _payments_and_search(chat, paused=True, narrates=True)
    await _run_week(bot, chat, clock)
    out = await chat.say("zoe: /narrate stats")
    assert "payments:" not in out
    assert "Teams with fewer than 5 people taking part aren't shown alone." in out


async def test_a_fifth_person_who_never_narrated_does_not_unlock_a_teams_figure(bot, chat, clock):
    await _payments_and_search(chat, paused=False, narrates=False)
    await _run_week(bot, chat, clock)
    out = await chat.say("zoe: /narrate stats")
    assert "payments:" not in out
    assert "aren't shown alone" in out


async def test_five_taking_part_still_show_the_teams_figure(bot, chat, clock):
    await _payments_and_search(chat, paused=False, narrates=True)
    await _run_week(bot, chat, clock)
    assert "payments: 0 happened" in await chat.say("zoe: /narrate stats")


# ------------------------------------------------------------ reasons and working hours


async def _pair_with_nothing_in_common(chat) -> None:
    await chat.say(
        "alice@payments: /narrate intros join",
        "bob@search: /narrate intros join",
        "alice: /narrate kafka lag dashboards",
        "bob: /narrate terraform modules",
    )


async def test_no_time_zones_known_no_claim_about_working_hours(bot, chat, clock):
    await _pair_with_nothing_in_common(chat)
    [post] = await _run_week(bot, chat, clock)
    assert "working hours" not in post.text
    assert _why(post).endswith("payments and search haven't been introduced yet")


async def test_one_time_zone_known_is_not_enough_to_claim_an_overlap(bot, chat, clock):
    await chat.say(":tz alice Europe/Berlin")
    await _pair_with_nothing_in_common(chat)
    [post] = await _run_week(bot, chat, clock)
    assert "working hours" not in post.text


async def test_known_overlapping_zones_are_still_said(bot, chat, clock):
    await chat.say(":tz alice Europe/Berlin", ":tz bob Europe/London")
    await _pair_with_nothing_in_common(chat)
    [post] = await _run_week(bot, chat, clock)
    assert _why(post).endswith(
        "payments and search haven't been introduced yet; your working hours overlap"
    )


# ----------------------------------------------------------------- accents: hide and declare


async def test_hiding_an_accented_topic_hides_every_spelling_search_finds(chat):
    await chat.say(
        ":channel #infra public",
        "bob in #infra: /narrate set up the Zürich office network",
    )
    out = await chat.say("bob: /narrate hide-me Zürich")
    assert "/narrate unhide-me Zürich" in out  # shown as typed
    for question in ("zurich", "Zürich", "ZÜRICH", "zurich office"):
        assert "@bob" not in await chat.say(f"alice: /narrate who {question}"), question
    assert "You're hidden from: Zürich." in await chat.say("bob: /narrate hide-me list")
    # Still found for what he didn't hide.
    assert "@bob" in await chat.say("alice: /narrate who office network")


async def test_hiding_without_the_accent_covers_the_accented_question_and_the_map(chat):
    await chat.say(
        ":channel #infra public",
        "carol in #infra: /narrate café ordering app backend",
    )
    assert "café: 1 narration · @carol" in await chat.say("alice: /narrate topics")
    await chat.say("carol: /narrate hide-me cafe")
    assert "@carol" not in await chat.say("alice: /narrate who café")
    topics = await chat.say("alice: /narrate topics")
    assert "café" not in topics
    assert "ordering: 1 narration · @carol" in topics
    assert "already hidden from cafe" in await chat.say("carol: /narrate hide-me Café")
    assert "named again in answers about cafe" in await chat.say("carol: /narrate unhide-me café")
    assert "@carol" in await chat.say("alice: /narrate who café")


async def test_declaring_a_topic_matches_it_with_or_without_accents(chat):
    await chat.say(
        ":channel #infra public",
        "carol in #infra: /narrate café ordering app backend",
        "dan in #infra: /narrate café ordering app backend",
        "dan: /narrate café ordering app backend again",
    )
    await chat.say("carol: /narrate ask-me-about cafe")
    out = await chat.say("alice: /narrate who café")
    assert "asks to be asked about it" in out
    assert out.index("@carol") < out.index("@dan")  # lifted above the one who narrated more
    assert "already declared cafe" in await chat.say("carol: /narrate ask-me-about Café")


async def test_a_hide_stored_before_accents_were_folded_still_works(chat, db):
    """Keys stored earlier kept their accents ("zürich"): the hide still holds for the
    spelling it always covered, is recognised as already there, and can be undone."""
    await chat.say(
        ":channel #infra public",
        "bob in #infra: /narrate set up the Zürich office network",
    )
    async with db.transaction() as session:
        bob = (await session.exec(select(Person).where(Person.user_id == "bob"))).one()
        assert bob.id is not None
        session.add(
            TopicPreference(
                person_id=bob.id,
                kind=HIDE_ME,
                topic_key="zürich",
                tenant_id=bob.tenant_id,
                topic="Zürich",
                created_at=chat.adapter.clock.now(),
            )
        )
    assert "@bob" not in await chat.say("alice: /narrate who Zürich")
    assert "already hidden from Zürich" in await chat.say("bob: /narrate hide-me zurich")
    assert "named again in answers about Zürich" in await chat.say("bob: /narrate unhide-me zurich")
    assert "You hide no topics." in await chat.say("bob: /narrate hide-me list")
    assert "@bob" in await chat.say("alice: /narrate who Zürich")
