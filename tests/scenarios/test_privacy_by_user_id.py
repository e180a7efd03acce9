"""Export and forget-me for what is kept under a user id alone: the admin who installed the app
and the members of private channels, whether or not they ever narrated."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from narrate_bot.storage import repositories as repo
from narrate_bot.storage.platform_store import Installation
from tests.conftest import START
from tests.scenarios.test_privacy import _rows_mentioning


async def _installed_by(db, user_id: str) -> None:
    """``user_id`` added the app to the console's workspace (as Slack's OAuth flow records it)."""
    async with db.transaction() as s:
        tenant = await repo.ensure_tenant(
            s, platform="console", external_id="local", name="local", now=START
        )
        assert tenant.id is not None
        s.add(
            Installation(
                tenant_id=tenant.id,
                platform="slack",
                team_id="T1",
                team_name="Acme",
                bot_token="xoxb-secret-token",
                installer_user_id=user_id,
                installed_at=START,
                updated_at=START,
            )
        )


def _export(out: str) -> dict:
    return json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())


async def test_an_admin_who_never_narrated_can_export_and_erase_the_install_record(chat, db):
    await chat.say(
        ":channel #secret private alice,bob,dana", "alice in #secret: /narrate launch plan"
    )
    await _installed_by(db, "dana")
    out = await chat.say("dana: /narrate export")
    assert "Here is everything I store about you (0 narrations)" in out
    data = _export(out)
    assert data["person"] == {"user_id": "dana"}
    assert data["channel_memberships"] == [{"id": "secret", "name": "secret", "kind": "private"}]
    assert data["installed_the_app"] == [
        {
            "platform": "slack",
            "workspace": "Acme",
            "organisation": None,
            "installed_at": "2026-11-23T08:00:00+00:00",
        }
    ]
    assert "xoxb" not in json.dumps(data)

    out = await chat.say("dana: /narrate forget-me")
    assert "I store only your user id, as a member of 1 private channel or DM and as the " in out
    assert "(button) Erase it: /narrate forget-me confirm" in out
    assert "your user id is gone" in await chat.say("dana: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "dana") == []
    async with db.transaction() as s:
        [install] = (await s.exec(select(Installation))).all()
    assert install.installer_user_id == "" and install.bot_token == "xoxb-secret-token"
    assert "nothing stored" in await chat.say("dana: /narrate export")
    # Alice's narration, and the others' memberships of #secret, are untouched.
    assert "launch plan" in await chat.say("alice: /narrate mine")
    assert "@alice" in await chat.say("bob in #secret: /narrate who launch plan")


async def test_a_private_channel_member_who_never_narrated_can_export_it(chat):
    await chat.say(":channel #secret private alice,carol")
    data = _export(await chat.say("carol: /narrate export"))
    assert [m["name"] for m in data["channel_memberships"]] == ["secret"]
    assert data["installed_the_app"] == []


async def test_a_narrators_export_names_the_installs_they_made(chat, db):
    await chat.say("alice: /narrate kafka lag")
    await _installed_by(db, "alice")
    data = _export(await chat.say("alice: /narrate export"))
    assert [i["workspace"] for i in data["installed_the_app"]] == ["Acme"]
    assert len(data["narrations"]) == 1


async def test_forget_me_says_it_keeps_the_who_knows_answers_of_someone_who_never_joined(chat, db):
    """Someone who only ever asked "who knows" is told what forget-me would erase: the answers
    they were given (it read "I store only your user id, ." before)."""
    await chat.say("alice: /narrate kafka consumer lag fixed in billing")
    await chat.say("carol: /narrate who kafka")
    out = await chat.say("carol: /narrate forget-me")
    assert (
        "I store only your user id, with when you were given 1 who-knows answer and whether it "
        "helped. This erases it" in out
    ), out
    await chat.say("carol: /narrate who kafka consumer")
    await chat.say(":channel #secret private alice,carol")
    await _installed_by(db, "carol")
    out = await chat.say("carol: /narrate forget-me")
    assert (
        "I store only your user id, as a member of 1 private channel or DM, as the person who "
        "installed the app and with when you were given 2 who-knows answers and whether they "
        "helped. This erases it" in out
    ), out
    assert "your user id is gone" in await chat.say("carol: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "carol") == []
