"""Slack's documented payload shapes (tests/payloads/slack/) → the core's events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from narrate_bot.events import ChannelKind, UserRef
from narrate_bot_adapters.slack import translate

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "slack"
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def _translate(fixture: dict):
    body = fixture["payload"]
    where = translate.Where(
        channel_id=(body.get("channel") or {}).get("id")
        or (body.get("event") or {}).get("channel", ""),
        kind=ChannelKind(fixture.get("where", {}).get("kind", "public")),
        name=fixture.get("where", {}).get("name", ""),
    )
    uid = (
        body.get("user_id")
        or (body.get("user") or {}).get("id")
        or body.get("event", {}).get("user")
    )
    user = UserRef(user_id=uid if isinstance(uid, str) else "", display_name="someone")
    match fixture["translate"]:
        case "slash_command":
            return translate.slash_command(body, user, now=NOW)
        case "message":
            return translate.message(body, body["event"], user, where)
        case "shortcut":
            return translate.shortcut(body, user, where, link=fixture["link"], now=NOW)
        case "button":
            return translate.button(body, body["actions"][0], user, where, now=NOW)
        case "view_submission":
            return translate.view_submission(body, user, now=NOW)
        case "membership_joined" | "membership_left":
            return translate.membership(
                body, body["event"], joined=fixture["translate"].endswith("joined")
            )
        case "channel_public" | "channel_private":
            kind = (
                ChannelKind.PRIVATE
                if fixture["translate"].endswith("private")
                else ChannelKind.PUBLIC
            )
            return translate.channel_described(body, body["event"], kind=kind)
        case "profile":
            return translate.profile(body, body["event"])
    raise AssertionError(fixture["translate"])


def _fields(event) -> dict:
    out = {"type": type(event).__name__, "tenant": event.tenant.tenant_id}
    for name in (
        "command",
        "text",
        "addressed_to_bot",
        "thread_id",
        "event_id",
        "form",
        "fields",
        "user_id",
        "joined",
        "timezone",
        "departed",
        "link",
    ):
        if hasattr(event, name):
            value = getattr(event, name)
            out[name] = value.value if hasattr(value, "value") else value
    if hasattr(event, "source"):
        out["source"] = event.source.value
    if hasattr(event, "channel"):
        out |= {
            "channel": event.channel.channel_id,
            "kind": event.channel.kind.value,
            "name": event.channel.name,
        }
    if hasattr(event, "user"):
        out |= {
            "user": event.user.user_id,
            "display_name": event.user.display_name,
            "is_admin": event.user.is_admin,
        }
    return out


@pytest.mark.parametrize("path", sorted(PAYLOADS.glob("*.json")), ids=lambda p: p.stem)
def test_documented_payload_translates(path: Path):
    fixture = json.loads(path.read_text())
    got = _fields(_translate(fixture))
    expected = fixture["expect"]
    assert {k: got.get(k) for k in expected} == expected


def test_fixtures_cover_every_surface():
    kinds = {json.loads(p.read_text())["translate"] for p in PAYLOADS.glob("*.json")}
    assert kinds >= {
        "slash_command",
        "message",
        "shortcut",
        "button",
        "view_submission",
        "membership_joined",
        "membership_left",
        "channel_public",
        "channel_private",
        "profile",
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("/narrate share 3", "share 3"),
        ("/narrate", ""),
        ("/NARRATE  mine ", "mine"),
        ("who knows x", "who knows x"),
    ],
)
def test_button_commands_become_narrate_text(value, text):
    assert translate.command_text(value) == text


def test_a_user_object_gives_admins_and_owners_the_admin_flag():
    assert translate.user_ref({"id": "U1", "is_owner": True}).is_admin
    assert not translate.user_ref({"id": "U2", "name": "bob"}).is_admin
    assert translate.user_ref({"id": "U2", "name": "bob"}).display_name == "bob"
