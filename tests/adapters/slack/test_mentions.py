"""Who a Slack message from the bot notifies: only the people the core cites. People's own
text (a quoted narration, a question in the weekly digest) is shown, never live: a ``<@U999>``
in it pings nobody, and a labelled ``<@W12|the CEO>`` or ``<#C777|general>`` links nowhere."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.replies import Post
from tests.adapters.slack.conftest import until
from tests.adapters.slack.fake_slack import markup, shown

EVIL = "kafka tuning: ask <@U999>, <@W12|the CEO> in <#C777|general> <!here> or @channel"


async def test_a_public_answer_quoting_a_narration_pings_only_the_person_it_names(slack):
    slack.fake.users["U2"] = {"id": "U2", "name": "grace", "tz": "Europe/Berlin"}
    await slack.command(EVIL, user="U2")
    await until(lambda: slack.fake.responses)
    mention = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> who knows about kafka tuning?",
        "ts": "1763800000.000200",
        "channel": "C1",
        "event_ts": "1763800000.000200",
    }
    await slack.event(mention, "Ev-who")
    await until(lambda: slack.fake.called("chat.postMessage"))
    answer = slack.fake.called("chat.postMessage")[0].params
    assert answer["thread_ts"] == "1763800000.000200"  # public, in the asker's thread
    live = markup(answer)
    assert live.people == {"U2"}  # grace, whom the answer names; not U999, not W12
    assert live.broadcasts == set() and live.channels == set() and live.links == set()
    seen = shown(answer)
    assert "@U999" in seen and "@the CEO" in seen and "#general" in seen  # shown as text


async def test_the_weekly_digest_pings_the_asker_not_whom_the_question_mentions(slack):
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    await slack.command("schedule digest on fri 16:00 Europe/Berlin")
    await until(lambda: slack.fake.responses)
    assert "weekly digest" in slack.fake.responses[-1]["text"]
    await slack.command("questions-channel here")
    await slack.command("join", user="U2")
    # Asked through the bot (a narration with a "?" is not an open question).
    stuck = "stuck on the kafka consumer lag <@U999> saw too, any ideas? <!channel>"
    await slack.command(f"ask-channel <#C1|team> {stuck}", user="U2")
    await until(lambda: len(slack.fake.responses) >= 3)
    await until(lambda: slack.fake.called("chat.postMessage"))

    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=5))
    posts = [c.params for c in slack.fake.called("chat.postMessage")]
    [digest] = [p for p in posts if "Open questions" in p["text"]]
    assert "kafka consumer lag" in shown(digest)
    assert markup(digest).people == {"U2"} and not markup(digest).broadcasts
    assert all(markup(p).people <= {"U2"} and not markup(p).broadcasts for p in posts)


async def test_a_post_names_its_people_even_in_a_group_dm(slack):
    from narrate_bot.events import Platform, TenantRef

    gateway = slack.adapter.bot.gateways[Platform.SLACK]
    post = Post(
        text="<@U1> and <@U2>, meet each other. Why: both quote <@U999> (<@U1|boss>).",
        to_users=("U1", "U2"),
        names={"U1": "ada", "U2": "grace"},
    )
    await gateway.post(TenantRef(platform=Platform.SLACK, tenant_id="T1"), post)
    [sent] = slack.fake.called("chat.postMessage")
    assert markup(sent.params).people == {"U1", "U2"}
    assert "@U999" in shown(sent.params) and "@boss" in shown(sent.params)
