"""Schedules through the console: prompts, thread replies, the form, skips, reminders, digests."""

from __future__ import annotations

from narrate_bot.events import Platform

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


async def test_a_weekday_prompt_posts_once_a_day_at_its_local_time(chat):
    out = await chat.say("alice in #team: /narrate schedule #team weekdays 16:30 Europe/Berlin")
    assert "Scheduled #1" in out and "weekdays at 16:30 (Europe/Berlin)" in out
    assert "Next one: Mon 2026-11-23 16:30 CET" in out
    out = await chat.say(":advance 7d")
    prompts = [line for line in out.splitlines() if line.startswith("[#team] Time to work out")]
    assert len(prompts) == 5  # Mon..Fri, nothing on the weekend
    assert out.count("(button) Write my update: /narrate reply 1") == 5
    assert "the time is now 2026-11-30T09:00:00+01:00" in out


async def test_replies_in_the_prompt_thread_become_narrations_and_elsewhere_do_not(chat):
    await chat.say(
        ":channel #team public",
        "alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin",
        "bob: /narrate join",
        ":advance 8h",
    )
    out = await chat.say("bob in #team thread: wiring the ledger importer to kafka")
    assert "Noted as #1" in out
    assert "Noted" not in await chat.say("bob in #team: just chatting about lunch")
    mine = await chat.say("bob: /narrate mine")
    assert "#team" in mine and "wiring the ledger importer" in mine and "lunch" not in mine
    # A thread that isn't a prompt's is ordinary chatter.
    assert "Noted" not in await chat.say("carol in #team thread m99: me too")
    assert "bob" in await chat.say("zoe: /narrate who kafka")


async def test_the_write_my_update_button_opens_a_form_recorded_in_the_prompt_channel(chat):
    await chat.say(
        ":channel #secret private alice,carol",
        "alice in #secret: /narrate schedule daily 10:00 Europe/Berlin",
        ":advance 2h",
    )
    out = await chat.say("carol in #secret: /narrate reply 1")
    assert "your next line here fills the form" in out
    out = await chat.say("carol in #secret: drafting the launch checklist")
    assert "Noted as #1, readable by whoever reads #secret" in out
    refused = await chat.say("mallory: /narrate reply 1", "mallory: sneaking in")
    assert "There's no prompt #1" in refused and "secret" not in refused  # as for a missing id
    assert "carol" not in await chat.say("zoe: /narrate who launch checklist")


async def test_private_channel_schedules_are_for_members_only(chat):
    await chat.say(":channel #secret private alice,carol")
    out = await chat.say("mallory in #general: /narrate schedule #secret weekdays 09:00")
    assert "I haven't seen #secret yet" in out  # as for an unknown name: no probing
    assert "No prompts are scheduled" in await chat.say("mallory: /narrate schedule list")


async def test_skip_dates_silence_a_channel_then_it_resumes(chat):
    await chat.say(
        "alice in #team: /narrate schedule daily 09:30 Europe/Berlin",
        "alice in #team: /narrate schedule skip 2026-11-24..2026-11-25",
    )
    out = await chat.say(":advance 3d", ":advance 1h")
    assert out.count("[#team] Time to work out loud") == 2  # Monday and Thursday


async def test_one_reminder_only_when_the_channel_turns_it_on(chat):
    await chat.say("alice in #team: /narrate schedule daily 10:00 Europe/Berlin")
    out = await chat.say(":advance 1d")
    assert "gentle nudge" not in out
    out = await chat.say("alice in #team: /narrate schedule reminder on")
    assert "one gentle reminder" in out
    out = await chat.say(":advance 1d")
    assert out.count("[#team thread] A gentle nudge") == 1
    assert "[#team] Time to work out loud" in out


async def test_list_and_remove(chat):
    await chat.say("alice in #team: /narrate schedule weekdays 16:30 Europe/Berlin")
    out = await chat.say("bob: /narrate schedule list")
    assert "#1  #team  prompt weekdays 16:30 Europe/Berlin" in out
    assert "Removed #1" in await chat.say("bob in #team: /narrate schedule remove 1")
    assert "Time to work out loud" not in await chat.say(":advance 2d")


async def test_bad_input_gets_a_short_answer_and_changes_nothing(chat):
    out = await chat.say("alice in #team: /narrate schedule #team someday 25:00")
    assert "isn't a day I know" in out
    out = await chat.say("alice in #team: /narrate schedule weekdays 25:00")
    assert "24-hour HH:MM" in out
    out = await chat.say("alice in #team: /narrate schedule weekdays 16:30 Mars/Olympus")
    assert "isn't a time zone I know" in out
    assert "No prompts are scheduled" in await chat.say("alice: /narrate schedule list")
    # A narration that merely starts with "schedule" is still a narration.
    assert "Noted as #1" in await chat.say("alice: /narrate schedule slipped on the importer")


async def test_personal_reminders_in_my_own_time_zone_silenced_by_pause(chat):
    out = await chat.say("alice: /narrate remind me weekdays 09:30")
    assert "time zone" in out and "/narrate timezone" in out
    await chat.say(":tz alice America/New_York")
    out = await chat.say("alice: /narrate remind me weekdays 09:30")
    assert "in your time zone (America/New_York)" in out
    assert "Next: Mon 2026-11-23 09:30 EST" in out
    out = await chat.say(":advance 1d")
    assert out.count("[dm alice] Your reminder to narrate") == 1
    await chat.say("alice: /narrate pause 3d")
    assert "Your reminder to narrate" not in await chat.say(":advance 3d")
    assert "[dm alice] Your reminder to narrate" in await chat.say(":advance 1d")
    await chat.say("alice: /narrate leave")
    assert "Your reminder" not in await chat.say(":advance 2d")
    await chat.say("alice: /narrate join")
    assert "Your reminder is off" in await chat.say("alice: /narrate remind off")
    assert "Your reminder" not in await chat.say(":advance 2d")


async def test_weekly_digest_shows_overlaps_but_no_roll_call(chat):
    await chat.say(
        ":channel #secret private alice",
        "alice in #team: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice@payments in #team: /narrate moving the ledger to kafka",
        "bob@infra in #general: /narrate kafka broker upgrade",
        "carol@search in #general: /narrate anyone tuned kafka consumer lag?",
        "alice in #secret: /narrate zanzibar kafka secret plan?",
        "dan in dm: /narrate kafka thoughts?",
    )
    out = await chat.say(":advance 5d")
    assert "[#team] This week, as #team can see it: 3 narrations" in out
    assert "kafka: infra, payments" in out
    # A narration with a "?" is not an open question: nobody is listed for what they narrated.
    assert "consumer lag" not in out and "Open questions someone here" not in out
    assert "zanzibar" not in out and "kafka thoughts" not in out
    assert "@alice" not in out and "@bob" not in out and "@carol" not in out


async def test_quiet_week_digest_posts_nothing(chat):
    await chat.say("alice in #team: /narrate schedule digest on")
    assert "This week" not in await chat.say(":advance 8d")


async def test_the_console_gateway_is_registered(bot, chat):
    assert Platform.CONSOLE in bot.gateways


async def test_reminders_are_exported_and_forget_me_erases_them_and_unsent_posts(chat, bot, db):
    import json
    from pathlib import Path

    from narrate_bot.events import TenantRef
    from narrate_bot.features.schedule_jobs import tick
    from narrate_bot.replies import Post
    from tests.scenarios.test_privacy import _rows_mentioning

    await chat.say(":tz alice Europe/Berlin", "alice: /narrate remind me mon,thu 10:00")
    await chat.say(":advance 1d")
    out = await chat.say("alice: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert data["reminders"] == [
        {
            "days": ["mon", "thu"],
            "time": "10:00",
            "timezone": "Europe/Berlin",
            "created_at": "2026-11-23T08:00:00+00:00",
        }
    ]

    class Intros:
        async def weekly(self, *, tenant: TenantRef, now):
            return [Post(text="<@alice>, meet <@bob>", to_users=("alice", "bob"))]

        async def follow_up(self, *, tenant: TenantRef, now):
            return []

    class Down:
        async def post(self, tenant: TenantRef, post: Post) -> str:
            raise ConnectionError("platform unavailable")

    bot.introductions = Intros()
    gateway = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = Down()  # the posts stay queued, naming alice
    await chat.say(":clock 2026-11-30T11:00:00+01:00")
    await tick(bot)
    assert await _rows_mentioning(db, "<@alice>")
    bot.gateways[Platform.CONSOLE] = gateway
    await chat.say("alice: /narrate forget-me")
    await chat.say("alice: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "alice") == []
    assert "Your reminder" not in await chat.say(":advance 7d")


async def test_forget_me_leaves_unsent_posts_naming_someone_else_alone(chat, bot):
    """``a_c`` forgets themselves while a post to ``abc`` waits for the platform: a ``_`` in an
    id is no wildcard, so ``abc`` still gets their introduction."""
    from narrate_bot.events import TenantRef
    from narrate_bot.replies import Post

    class Intros:
        async def weekly(self, *, tenant: TenantRef, now):
            return [Post(text="<@abc>, meet <@zed>", to_users=("abc", "zed"))]

        async def follow_up(self, *, tenant: TenantRef, now):
            return []

    class Down:
        async def post(self, tenant: TenantRef, post: Post) -> str:
            raise ConnectionError("platform unavailable")

    await chat.say("a_c: /narrate hello", "abc: /narrate hello", "zed: /narrate hello")
    bot.introductions = Intros()
    gateway = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = Down()  # Monday 10:00 UTC: the post stays queued
    await chat.say(":clock 2026-11-23T11:00:00+01:00")
    bot.gateways[Platform.CONSOLE] = gateway
    await chat.say("a_c: /narrate forget-me", "a_c: /narrate forget-me confirm")
    assert "[dm abc,zed] @abc, meet @zed" in await chat.say(":advance 5m")
