"""Export and forget-me: everything about me as JSON, and erasure that leaves no trace."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import inspect, text
from sqlmodel import select

from narrate_bot.storage.fulltext import index_has_token
from narrate_bot.storage.platform_store import Installation
from narrate_bot.storage.tables import Tenant


async def _setup(chat):
    await chat.say(
        ":channel #secret private alice,carol",
        ":tz alice Europe/Berlin",
        "alice@payments: /narrate zanzibarquux ledger migration",
        "alice in #secret: /narrate xylophonics launch plan",
        "alice in dm: /narrate private musings on kafka",
        "carol in #secret: /narrate kafka streams for the launch",
    )


async def test_export_has_everything_about_me_and_nothing_about_others(chat):
    await _setup(chat)
    out = await chat.say("alice: /narrate export")
    assert "3 narrations" in out
    path = Path(out.split("saved to ", 1)[1].strip())
    data = json.loads(path.read_text())
    assert data["person"] == {
        "user_id": "alice",
        "display_name": "alice",
        "team": "payments",
        "timezone": "Europe/Berlin",
        "consent": "joined",
        "erase_requested_at": None,
        "joined_at": "2026-11-23T08:00:00+00:00",
        "paused_until": None,
        "guest": False,
        "departed_at": None,
        "created_at": "2026-11-23T08:00:00+00:00",
    }
    assert [n["text"] for n in data["narrations"]] == [
        "zanzibarquux ledger migration",
        "xylophonics launch plan",
        "private musings on kafka",
    ]
    assert data["narrations"][1]["channel"] == {"id": "secret", "name": "secret", "kind": "private"}
    assert "ledger" in data["narrations"][0]["topics"]
    assert {m["name"] for m in data["channel_memberships"]} >= {"secret"}
    assert "carol" not in path.read_text().replace('"secret"', "")


async def test_export_for_a_stranger_says_nothing_is_stored(chat):
    assert "nothing stored" in await chat.say("zoe: /narrate export")


async def test_forget_me_without_confirming_deletes_nothing(chat, clock):
    await _setup(chat)
    out = await chat.say("alice: /narrate forget-me")
    assert "can't be undone" in out and "/narrate forget-me confirm" in out
    clock.advance(timedelta(minutes=11))
    out = await chat.say("alice: /narrate forget-me confirm")
    assert "Nothing to confirm" in out
    assert "#3" in await chat.say("alice: /narrate mine")
    out = await chat.say("bob: /narrate forget-me confirm")
    assert "nothing stored" in out


async def _rows_mentioning(db, needle: str) -> list[str]:
    """Every row in every table that holds ``needle`` in any text column."""
    found = []
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            if table.startswith("narration_fts") or table == "alembic_version":
                continue
            rows = (await conn.execute(text(f'SELECT * FROM "{table}"'))).all()
            for row in rows:
                if any(isinstance(v, str) and needle in v for v in row):
                    found.append(f"{table}: {row}")
    return found


async def test_forget_me_erases_every_row_and_every_index_token(chat, db):
    await _setup(chat)
    async with db.transaction() as s:
        assert await index_has_token(s, db.dialect, "zanzibarquux")
    await chat.say("alice: /narrate forget-me")
    out = await chat.say("alice: /narrate forget-me confirm")
    assert "including 3 narrations" in out
    assert await _rows_mentioning(db, "alice") == []
    assert await _rows_mentioning(db, "zanzibarquux") == []
    async with db.transaction() as s:
        assert not await index_has_token(s, db.dialect, "zanzibarquux")
        assert not await index_has_token(s, db.dialect, "xylophon")
        assert await index_has_token(s, db.dialect, "stream")  # carol's stays
    assert "nothing stored" in await chat.say("alice: /narrate export")
    out = await chat.say("zoe: /narrate who ledger")
    assert "couldn't find anyone" in out
    # Carol is untouched.
    assert "#1" in await chat.say("carol: /narrate mine")


async def test_delete_leaves_no_token_in_the_index(chat, db):
    await chat.say("alice: /narrate quokkaformation rollout", "alice: /narrate another thing")
    await chat.say("alice: /narrate delete 1")
    async with db.transaction() as s:
        assert not await index_has_token(s, db.dialect, "quokkaform")
        assert await index_has_token(s, db.dialect, "anoth")


async def test_edit_leaves_no_trace_of_the_old_text_in_the_index(chat, db):
    await chat.say("alice: /narrate quokkaformation rollout")
    await chat.say("alice: /narrate edit 1 wombatization rollout")
    async with db.transaction() as s:
        assert not await index_has_token(s, db.dialect, "quokkaform")
        assert await index_has_token(s, db.dialect, "wombat")
    assert "couldn't find anyone" in await chat.say("zoe: /narrate who quokkaformation")
    assert "@alice" in await chat.say("zoe: /narrate who wombatization")


async def test_declared_and_hidden_topics_are_exported_and_erased(chat, db):
    await chat.say(
        "alice: /narrate ledger migration",
        "alice: /narrate ask-me-about zanzibarquux, ledgers",
        "alice: /narrate hide-me xylophonics",
        "carol: /narrate ask-me-about xylophonics",
    )
    out = await chat.say("alice: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert [t["topic"] for t in data["ask_me_about"]] == ["ledgers", "zanzibarquux"]
    assert [t["topic"] for t in data["hidden_topics"]] == ["xylophonics"]
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "zanzibarquux") == []
    # Carol's own declaration of the same word stays; only alice's rows went.
    assert len(await _rows_mentioning(db, "xylophonics")) == 1
    assert "Happy to be asked about: xylophonics." in await chat.say("carol: /narrate profile")


async def test_erasing_a_workspace_removes_preferences_and_settings(chat, db):
    from narrate_bot.storage.privacy import clear_traces, erase_tenant
    from narrate_bot.storage.tables import Tenant

    await chat.say(
        ":channel #questions public",
        "alice: /narrate quokkaformation",
        "alice: /narrate ask-me-about zanzibarquux",
        "alice: /narrate hide-me xylophonics",
        "alice: /narrate questions-channel #questions",
    )
    async with db.transaction() as s:
        tenant = (await s.exec(select(Tenant))).one()
        await erase_tenant(s, tenant_id=tenant.id, dialect=db.dialect)
    await clear_traces(db, erasure=True)  # what the adapters call once the erasure committed
    async with db.engine.connect() as conn:
        for table in ("topic_preference", "tenant_setting", "person", "narration"):
            assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 0
    async with db.transaction() as s:
        assert not await index_has_token(s, db.dialect, "quokkaform")


async def test_forget_me_forgets_that_i_installed_the_app_and_keeps_the_install(chat, db, clock):
    """The install record names the admin who added the app; after forget-me it must not, and
    the workspace must keep working (its token stays)."""
    await _setup(chat)
    async with db.transaction() as s:
        tenant = (await s.exec(select(Tenant))).one()
        s.add(
            Installation(
                tenant_id=tenant.id,
                platform="slack",
                team_id="T1",
                bot_token="xoxb-kept",
                installer_user_id="alice",
                installed_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    await chat.say("alice: /narrate forget-me")
    await chat.say("alice: /narrate forget-me confirm")
    assert await _rows_mentioning(db, "alice") == []
    async with db.transaction() as s:
        install = (await s.exec(select(Installation))).one()
    assert (install.bot_token, install.installer_user_id) == ("xoxb-kept", "")


async def test_an_unconfirmed_forget_me_pauses_reminders_only_while_it_can_be_confirmed(chat):
    await chat.say(":tz alice Europe/Berlin", "alice: /narrate remind me weekdays 09:30")
    await chat.say(":advance 25m", "alice: /narrate forget-me")
    # Monday 09:30 falls inside the 10 minutes to confirm: nothing is sent meanwhile.
    assert "Your reminder to narrate" not in await chat.say(":advance 1h")
    # Alice never confirmed: the request lapsed, and her reminders carry on as before.
    assert "[dm alice] Your reminder to narrate" in await chat.say(":advance 1d")
    assert "Nothing to confirm" in await chat.say("alice: /narrate forget-me confirm")
    assert "[dm alice] Your reminder to narrate" in await chat.say(":advance 1d")


async def test_questions_i_posted_to_the_open_questions_channel_are_exported(chat):
    await chat.say(
        ":channel #questions public",
        "zoe: /narrate questions-channel #questions",
        "zoe: /narrate ask-channel #questions cobol mainframes",
        "carol: /narrate ask-channel #questions fortran compilers",
    )
    out = await chat.say("zoe: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert data["open_questions"] == [
        {
            "question": "cobol mainframes",
            "posted_in": {"id": "questions", "name": "questions"},
            "asked_at": "2026-11-23T08:00:00+00:00",
            "status": "open",
            "closed_at": None,
            "follow_up": None,
        }
    ]
    await chat.say(":advance 1h", "zoe: /narrate ask-channel answered")
    out = await chat.say("zoe: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    [question] = data["open_questions"]
    assert question["status"] == "answered"
    assert question["closed_at"] == "2026-11-23T09:00:00+00:00"
