"""On Discord one account takes part in every server the bot is in, and each server is a tenant
of its own: export and forget-me say they cover this server only, and the other server's data is
indeed untouched (it was "I erased everything about you" while another server kept it all)."""

from __future__ import annotations

from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef

ONE = TenantRef(platform=Platform.DISCORD, tenant_id="111", name="Guild One")
TWO = TenantRef(platform=Platform.DISCORD, tenant_id="222", name="Guild Two")


def _command(clock, tenant: TenantRef, text: str, n: int) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"discord-{tenant.tenant_id}-{n}",
        tenant=tenant,
        user=UserRef(user_id="4242", display_name="pat"),
        channel=ChannelRef(channel_id=f"{tenant.tenant_id}0", name="general"),
        occurred_at=clock.now(),
        command="narrate",
        text=text,
    )


async def _say(bot, clock, tenant: TenantRef, text: str, n: int) -> str:
    return "\n".join(r.text for r in await bot.handle(_command(clock, tenant, text, n)))


async def test_export_and_forget_me_say_they_cover_this_server_only(bot, clock):
    await _say(bot, clock, ONE, "xylophonics tuning for the orchestra bot", 1)
    await _say(bot, clock, TWO, "xylophonics in the second guild", 2)
    exported = await _say(bot, clock, ONE, "export", 3)
    assert exported.startswith("Here is everything I store about you (1 narration).")
    assert "That is this server (Guild One) only" in exported
    asked = await _say(bot, clock, ONE, "forget-me", 4)
    assert "That is this server (Guild One) only" in asked
    done = await _say(bot, clock, ONE, "forget-me confirm", 5)
    assert done.startswith("Done: I erased everything about you, including 1 narration.")
    assert "run it in each server you narrated in" in done
    # Guild Two's data is its own: still there, as the reply said.
    assert "xylophonics in the second guild" in await _say(bot, clock, TWO, "mine", 6)


async def test_the_console_and_slack_wording_is_unchanged(chat):
    await chat.say("alice: /narrate kafka lag")
    out = await chat.say("alice: /narrate forget-me")
    assert "this server" not in out


async def test_a_pause_on_discord_says_it_is_this_servers(bot, clock):
    await _say(bot, clock, ONE, "xylophonics tuning", 1)
    paused = await _say(bot, clock, ONE, "pause 2w", 2)
    assert paused.startswith("Paused until ")
    assert "That is this server (Guild One) only: other servers I'm in carry on" in paused
