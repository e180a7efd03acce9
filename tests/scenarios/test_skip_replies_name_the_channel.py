"""A command a skip reply suggests names the channel when it isn't the one typed in.

Review t13: ``skip … #team`` typed in #general answered "Undo with /narrate schedule unskip
2026-11-24..2026-11-25." and running that exact line acted on #general ("#general has no skipped
days … nothing changed"), so the suggested undo never undid anything.
"""

from __future__ import annotations

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


async def _team_with_a_prompt(chat) -> None:
    await chat.say(
        ":channel #team public",
        "alice in #team: /narrate schedule daily 10:00 UTC",
    )


async def test_the_undo_a_skip_suggests_from_another_channel_really_undoes_it(chat):
    await _team_with_a_prompt(chat)
    out = await chat.say("alice in #general: /narrate schedule skip 2026-11-24..2026-11-25 #team")
    assert "No prompts in #team on 2026-11-24 to 2026-11-25" in out
    assert "Undo with /narrate schedule unskip 2026-11-24..2026-11-25 #team." in out
    # The suggested line, typed where the reply was read, takes the days back in #team.
    out = await chat.say("alice in #general: /narrate schedule unskip 2026-11-24..2026-11-25 #team")
    assert "Prompts in #team are back on 2026-11-24 to 2026-11-25" in out
    assert "nothing changed" not in out


async def test_listing_another_channels_skips_suggests_an_unskip_for_that_channel(chat):
    await _team_with_a_prompt(chat)
    await chat.say("alice in #team: /narrate schedule skip 2026-11-27")
    out = await chat.say("alice in #general: /narrate schedule skips #team")
    assert "No prompts in #team on 2026-11-27." in out
    assert "Take days back with /narrate schedule unskip 2026-11-27 #team (or some" in out


async def test_nothing_to_unskip_elsewhere_points_at_that_channels_skips(chat):
    await _team_with_a_prompt(chat)
    out = await chat.say("alice in #general: /narrate schedule unskip 2026-11-27 #team")
    assert "#team has no skipped days on 2026-11-27, so nothing changed." in out
    assert "/narrate schedule skips #team lists them." in out


async def test_no_skips_elsewhere_suggests_a_skip_for_that_channel(chat):
    await _team_with_a_prompt(chat)
    out = await chat.say("alice in #general: /narrate schedule skips #team")
    assert "No skipped days in #team." in out
    assert "/narrate schedule skip 2026-12-24..2026-12-26 #team adds some." in out


async def test_from_a_dm_every_suggestion_names_the_channel(chat):
    await _team_with_a_prompt(chat)
    out = await chat.say("alice in dm: /narrate schedule skip 2026-11-24 #team")
    assert "Undo with /narrate schedule unskip 2026-11-24 #team." in out
    out = await chat.say("alice in dm: /narrate schedule skips #team")
    assert "/narrate schedule unskip 2026-11-24 #team (or some" in out


async def test_in_the_channel_itself_the_suggestions_stay_short(chat):
    await _team_with_a_prompt(chat)
    out = await chat.say("alice in #team: /narrate schedule skip 2026-11-24")
    assert "Undo with /narrate schedule unskip 2026-11-24." in out
    out = await chat.say("alice in #team: /narrate schedule skips")
    assert "Take days back with /narrate schedule unskip 2026-11-24 (or some" in out
    out = await chat.say("alice in #team: /narrate schedule unskip 2026-11-30")
    assert "/narrate schedule skips lists them." in out
    # And the same channel named explicitly is still "here".
    out = await chat.say("alice in #team: /narrate schedule skips #team")
    assert "Take days back with /narrate schedule unskip 2026-11-24 (or some" in out
