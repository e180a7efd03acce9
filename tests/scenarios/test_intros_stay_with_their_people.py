"""Introductions go only where, and to whom, they still may.

The introductions channel must be a channel of this workspace the bot has seen (a typed id could
be another server's channel, and one never seen has no known readers); an introduction whose
first send failed is not retried to people who left, paused, asked to be forgotten or asked
never to be introduced to each other meanwhile; the weekly run leaves out someone whose
forget-me waits for confirmation; and what someone asks after leaving narrate-bot is not kept
for their introductions.
"""

from __future__ import annotations

import pytest

from narrate_bot.features.introductions import CHANNEL_KEY
from narrate_bot.storage import repositories as repo
from narrate_bot_adapters.console.adapter import TENANT, ConsoleAdapter

KAFKA_PAIR = (
    "alice@payments: /narrate kafka consumer lag",
    "carol@search: /narrate kafka consumer lag too",
    "alice: /narrate intros join",
    "carol: /narrate intros join",
)


async def _run_week(bot, chat, clock):
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


# ------------------------------------------------------------------ the introductions channel


async def test_a_channel_never_seen_here_is_refused_and_nothing_changes(bot, chat, clock):
    await chat.say(*KAFKA_PAIR, ":admin ann")
    out = await chat.say("ann: /narrate intros channel #intros")
    assert "I haven't seen #intros yet: add me to it (or post there) and try again." in out
    assert "Nothing was changed." in out
    # A channel id typed by hand (another workspace's or server's channel) is refused alike.
    out = await chat.say("ann: /narrate intros channel <#C0OTHER|elsewhere>")
    assert "I haven't seen #elsewhere yet" in out
    out = await chat.say("ann: /narrate intros channel <#8888>")
    assert "I haven't seen #8888 yet" in out
    await chat.say("ann: /narrate intros delivery channel")
    posts = await _run_week(bot, chat, clock)
    assert [(p.channel_id, p.to_users) for p in posts] == [(None, ("alice", "carol"))]

    # Once the bot has seen it, it can be chosen.
    await chat.say(":channel #intros public")
    out = await chat.say("ann: /narrate intros channel #intros")
    assert "Introductions will be posted in #intros." in out


async def test_a_channel_stored_before_it_was_checked_is_never_posted_in(bot, chat, clock):
    """An install upgraded with an introductions channel the bot never saw in this workspace
    (perhaps another server's): the introductions go by direct message instead, never there."""
    await chat.say(*KAFKA_PAIR, ":admin ann", "ann: /narrate intros delivery channel")
    async with bot.db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session,
            platform=TENANT.platform.value,
            external_id=TENANT.tenant_id,
            name=TENANT.name,
            now=clock.now(),
        )
        assert tenant.id is not None
        await repo.set_setting(
            session, tenant_id=tenant.id, key=CHANNEL_KEY, value="8888", now=clock.now()
        )
    posts = await _run_week(bot, chat, clock)
    assert [(p.channel_id, p.to_users) for p in posts] == [(None, ("alice", "carol"))]
    assert "kafka" in posts[0].text  # their own DM may say why


# --------------------------------------------------------------- a retried first send


STOPS = {
    "carol asked never to be introduced to alice": "carol: /narrate never-pair <@alice>",
    "alice left narrate-bot": "alice: /narrate leave",
    "alice left introductions": "alice: /narrate intros leave",
    "alice paused": "alice: /narrate pause 2w",
    "alice asked to be forgotten (not confirmed yet)": "alice: /narrate forget-me",
}


async def _first_send_fails(chat, monkeypatch) -> list[str]:
    await chat.say(*KAFKA_PAIR, "alice: /narrate intros schedule mon 09:30 Europe/Berlin")
    real = ConsoleAdapter.post
    failed: list[str] = []

    async def flaky(self, tenant, post):
        if not failed and "Introduction #" in post.text:
            failed.append(post.text)
            raise ConnectionError("platform unavailable")
        return await real(self, tenant, post)

    monkeypatch.setattr(ConsoleAdapter, "post", flaky)
    out = await chat.say(":advance 30m")  # 09:30: the week's run; its first send fails
    assert failed and "Introduction #1" not in out
    return failed


@pytest.mark.parametrize("stop", list(STOPS), ids=list(STOPS))
async def test_a_retry_goes_nowhere_once_someone_stopped(chat, monkeypatch, stop):
    await _first_send_fails(chat, monkeypatch)
    await chat.say(STOPS[stop])
    out = await chat.say(":advance 5m")  # the retries, 1 and 2 minutes later
    assert "Introduction #1" not in out
    out = await chat.say(":advance 3h")  # and beyond the grace
    assert "Introduction #1" not in out


async def test_a_retry_still_arrives_when_nothing_changed(chat, monkeypatch):
    await _first_send_fails(chat, monkeypatch)
    out = await chat.say(":advance 5m")
    assert "[dm alice,carol] Introduction #1: @alice (payments), meet @carol (search)." in out


# --------------------------------------------------------- a forget-me waiting to be confirmed


async def test_the_weekly_run_leaves_out_someone_whose_forget_me_waits(chat):
    await chat.say(
        *KAFKA_PAIR,
        "alice: /narrate remind me weekdays 09:30",
        "alice: /narrate intros schedule mon 09:30 Europe/Berlin",
        ":advance 25m",
        "alice: /narrate forget-me",
    )
    out = await chat.say(":advance 5m")  # 09:30: inside alice's minutes to confirm
    assert "Your reminder to narrate" not in out  # reminders hold off, as documented
    assert "Introduction #1" not in out


# ----------------------------------------------------------- questions after leaving


async def test_what_someone_asks_after_leaving_is_not_kept_for_introductions(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate kafka lag",
        "alice: /narrate intros join",
        "alice: /narrate leave",
        "alice: /narrate who knows about snorkelwax?",
    )
    # Back later: what she asked while she was away is no reason to introduce her.
    await chat.say(
        "alice: /narrate intros join",
        "erin@infra: /narrate snorkelwax polishing rig",
        "erin: /narrate intros join",
    )
    [told] = await _run_week(bot, chat, clock)
    assert sorted(told.to_users) == ["alice", "erin"]
    assert "asked" not in told.text and "snorkelwax" not in told.text
