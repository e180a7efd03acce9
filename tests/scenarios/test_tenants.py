"""Each workspace is a separate tenant, even when user and channel ids collide."""

from __future__ import annotations

from narrate_bot.events import (
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    Platform,
    TenantRef,
    UserRef,
)

ACME = TenantRef(platform=Platform.SLACK, tenant_id="T1", name="acme")
GLOBEX = TenantRef(platform=Platform.SLACK, tenant_id="T2", name="globex")
GENERAL = ChannelRef(channel_id="C1", name="general", kind=ChannelKind.PUBLIC)


def _cmd(tenant, user, text, clock):
    return CommandInvoked(
        event_id=f"{tenant.tenant_id}-{user}-{text}",
        tenant=tenant,
        user=UserRef(user_id=user, display_name=user),
        channel=GENERAL,
        occurred_at=clock.now(),
        command="narrate",
        text=text,
    )


async def test_same_user_and_channel_ids_in_two_workspaces_never_mix(bot, clock):
    await bot.handle(_cmd(ACME, "U1", "kafka consumer groups at acme", clock))
    await bot.handle(_cmd(GLOBEX, "U2", "kafka at globex", clock))
    acme = await bot.handle(_cmd(ACME, "U2", "who kafka", clock))
    assert "<@U1>" in acme[0].text and "globex" not in acme[0].text
    globex = await bot.handle(_cmd(GLOBEX, "U1", "who kafka", clock))
    assert "<@U2>" in globex[0].text and "acme" not in globex[0].text
    mine = await bot.handle(_cmd(GLOBEX, "U1", "mine", clock))
    assert "haven't narrated" in mine[0].text
