"""Block Kit within Slack's limits, mentions kept real, markup from people made harmless."""

from __future__ import annotations

from datetime import UTC, datetime

from narrate_bot.events import ChannelKind
from narrate_bot.features.home import HomeNarration, HomeSummary
from narrate_bot.replies import Button, FormRequest
from narrate_bot_adapters.slack import render
from narrate_bot_adapters.slack.translate import Where


def test_cited_mentions_stay_real_and_anything_else_from_people_is_text():
    text = (
        "ask <@U123ABC> or <@U999> or <@U123ABC|the CEO> in <#C42|infra> or <#C43>; "
        "not <!channel> nor <https://evil.example|bank> & co"
    )
    out = render.escape(text, mentions={"U123ABC"})
    assert out.startswith("ask <@U123ABC> or @U999 or @the CEO in #infra or #C43;")
    assert "<!channel>" not in out and "&lt;!channel&gt;" in out
    assert "<https://evil" not in out and "&amp; co" in out
    assert "<@" not in render.escape("<@U123ABC>")  # nobody is cited: nobody is live
    [section] = render.sections("@here, see #general")
    assert section["text"]["verbatim"] is True  # Slack links no plain "@here" or "#name"


def test_a_long_answer_is_cut_with_a_note_and_keeps_its_buttons():
    lines = "\n".join(f"<@U{i:05d}> knows about topic {i} " + "x" * 200 for i in range(2000))
    cited = {f"U{i:05d}" for i in range(2000)}
    message = render.message(
        lines, (Button(label="More", command="/narrate who x"),), mentions=cited
    )
    blocks = message["blocks"]
    assert len(blocks) <= 50 and render.size(blocks) <= render.MESSAGE_CHARS
    assert blocks[-1]["type"] == "actions" and blocks[-2]["type"] == "context"
    assert blocks[0]["text"]["text"].startswith("<@U00000> knows about topic 0")
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert all(
        b["text"]["text"].count("<@") == b["text"]["text"].count(">")
        for b in blocks
        if b["type"] == "section"
    )  # no mention split across blocks
    assert len(message["text"]) <= 3000


def test_many_short_blocks_are_cut_at_50_with_the_buttons_kept():
    body = [{"type": "divider"} for _ in range(80)]
    blocks = render.fit(body, render.actions((Button(label="b", command="/narrate"),)), 50)
    assert len(blocks) == 50
    assert blocks[-1]["type"] == "actions" and blocks[-2]["type"] == "context"


def test_one_huge_line_is_split_into_sections_of_at_most_3000_chars():
    blocks = render.sections("word " * 2000)
    assert len(blocks) >= 4 and all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_buttons_become_actions_with_confirmation_on_dangerous_ones():
    buttons = tuple(Button(label=f"b{i}", command=f"/narrate x {i}") for i in range(7)) + (
        Button(label="Forget me", command="/narrate forget-me", danger=True),
    )
    blocks = render.actions(buttons)
    assert [len(b["elements"]) for b in blocks] == [5, 3]
    ids = [e["action_id"] for b in blocks for e in b["elements"]]
    assert len(set(ids)) == 8 and all(i.startswith("narrate_cmd_") for i in ids)
    danger = blocks[-1]["elements"][-1]
    assert danger["style"] == "danger" and "confirm" in danger
    assert danger["value"] == "/narrate forget-me"


def test_modal_carries_the_form_and_offers_the_audiences():
    view = render.modal(
        FormRequest(form="narration", title="Narrate your work", prompt="What are you on?"),
        Where(channel_id="C1", kind=ChannelKind.PUBLIC, name="general"),
    )
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    values = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert values == ["channel", "tenant", "only_me"]
    assert '"form": "narration"' in view["private_metadata"]


def test_home_stays_within_100_blocks_however_many_narrations():
    page = HomeSummary(
        enrolled=True,
        consent="joined",
        timezone="Europe/Berlin",
        team="payments",
        paused_until=None,
        recent=tuple(
            HomeNarration(
                ordinal=i, created_at=datetime(2026, 11, 1, tzinfo=UTC), text=f"note {i}", link=None
            )
            for i in range(300)
        ),
        topics=("kafka", "postgres"),
        actions=(Button(label="Export my data", command="/narrate export"),),
    )
    view = render.home(page)
    assert view["type"] == "home" and len(view["blocks"]) == 100
    assert any(b["type"] == "actions" for b in view["blocks"][:10])  # settings stay on top
