"""A button or form in a DM acts in the server its custom id names, and is answered from what
the person may read there now, as a command in the server is.

No role change reaches the bot (no members intent), and a DM interaction carries no roles: the
member is fetched over REST before every answer, even when the cache holds them (its roles are
the ones they had when they were cached)."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import ALICE, CAROL, FAY, GUILD, KEEPERS, SECRET, FakeDiscord

FORM = f"narrate-form@{GUILD}:narration"


async def _ask_in_dm_form(fake: FakeDiscord, who: dict[str, Any]) -> str:
    """The personal reminder DM's "Write my update" button, then its form, with a question."""
    modal = await fake.answer(
        await fake.click(f"narrate@{GUILD}:/narrate", in_guild=False, who=who)
    )
    assert modal["type"] == 9 and modal["data"]["custom_id"] == FORM, modal
    answer = await fake.answer(
        await fake.submit(FORM, "who knows about vault?", in_guild=False, who=who)
    )
    return str(answer["data"]["content"])


async def test_a_question_in_a_dm_form_is_answered_from_the_roles_discord_gives_now(
    fake, bot: Bot, connect
):
    await connect(bot)
    await fake.answer(
        await fake.slash("narrate", who=ALICE, channel=SECRET, text="rotating vault keys")
    )
    before = await fake.answer(await fake.slash("whoknows", who=CAROL, topic="vault"))
    assert f"<@{ALICE['id']}>" in before["data"]["content"]  # a keeper: she reads #secret
    fake.roles[CAROL["id"]] = []  # she loses the keepers role; no event tells the bot

    content = await _ask_in_dm_form(fake, CAROL)

    assert "vault" in content  # answered, from what she may read now
    assert f"<@{ALICE['id']}>" not in content and "#secret" not in content, content


async def test_a_cached_member_is_fetched_again_before_a_dm_form_is_answered(
    fake, bot: Bot, connect
):
    """Without the members intent the cache holds whoever is in a voice channel, as Discord
    listed them then: alice, talking in #standup when the bot connected."""
    voice = {"id": "3002", "type": 2, "guild_id": GUILD, "name": "standup", "position": 2,
             "permission_overwrites": [], "nsfw": False, "parent_id": None, "bitrate": 64000,
             "user_limit": 0, "rtc_region": None}  # fmt: skip
    fake.guild["channels"].append(voice)
    fake.guild["voice_states"] = [
        {"guild_id": GUILD, "channel_id": "3002", "user_id": ALICE["id"], "session_id": "v1",
         "deaf": False, "mute": False, "self_deaf": False, "self_mute": False,
         "self_video": False, "suppress": False, "request_to_speak_timestamp": None}
    ]  # fmt: skip
    client = await connect(bot)
    await fake.answer(
        await fake.slash("narrate", who=FAY, channel=SECRET, text="rotating vault keys")
    )
    before = await fake.answer(await fake.slash("whoknows", who=ALICE, topic="vault"))
    assert f"<@{FAY['id']}>" in before["data"]["content"]
    cached = client.get_guild(int(GUILD)).get_member(int(ALICE["id"]))
    assert cached is not None and int(KEEPERS) in cached._roles  # stale from here on
    fake.roles[ALICE["id"]] = []

    content = await _ask_in_dm_form(fake, ALICE)

    assert f"<@{FAY['id']}>" not in content and "#secret" not in content, content
    fetched = fake.posted(f"/guilds/{GUILD}/members/{ALICE['id']}", method="GET")
    assert len(fetched) == 2  # the click and the form, each


async def test_a_dm_form_from_someone_given_access_since_is_answered_with_it(
    fake, bot: Bot, connect
):
    """The re-check goes both ways: a role given since (no event either) opens the channel."""
    await connect(bot)
    fake.roles[CAROL["id"]] = []
    await fake.answer(
        await fake.slash("narrate", who=ALICE, channel=SECRET, text="rotating vault keys")
    )
    assert f"<@{ALICE['id']}>" not in await _ask_in_dm_form(fake, CAROL)
    fake.roles[CAROL["id"]] = [KEEPERS]

    content = await _ask_in_dm_form(fake, CAROL)

    assert f"<@{ALICE['id']}>" in content and "#secret" in content, content
