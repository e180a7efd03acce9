"""In a Slack channel shared with another organisation (Slack Connect), the "Write my update"
modal says before anything is written that the update is kept, not posted in the prompt's
thread, through the real Bolt app and slack_sdk against the fake Web API.

Before, the modal was the same as in an internal channel (where the update is posted in the
thread), and only the confirmation said "Not posted in #team's thread: it's shared with another
organisation". Now the modal says it upfront; nothing is posted either way.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_stale_forms import click
from tests.adapters.slack.test_update_posts import _posted_in, _prompt_ts, _submit

NOTE = (
    "#team is shared with another organisation, so this update is kept as your narration and "
    "not posted in the prompt's thread."
)


async def _modal_text(slack) -> str:
    opened = len(slack.fake.called("views.open"))
    await slack.interaction(click("/narrate reply 1", channel="C1", trigger=f"t-{opened}"))
    await until(lambda: len(slack.fake.called("views.open")) > opened)
    return str(slack.fake.called("views.open")[-1].params["view"])


async def test_the_form_in_a_shared_channel_says_upfront_it_is_not_posted(slack):
    thread = await _prompt_ts(slack)
    assert NOTE not in await _modal_text(slack)  # internal: posted in the thread, no note
    slack.fake.channels["C1"]["is_ext_shared"] = True
    slack.fake.members["C1"] = ["U1", "UPARTNER"]
    status, _, _ = await slack.event(
        {
            "type": "channel_shared",
            "connected_team_id": "TACME",
            "channel": "C1",
            "event_ts": "1763800100.000100",
        },
        "Ev-shared",
    )
    assert status == 200

    async def noted() -> bool:
        return NOTE in await _modal_text(slack)

    for _ in range(50):
        if await noted():
            break
    assert NOTE in await _modal_text(slack)
    told = await _submit(slack, "fixed the invoice export")
    assert "Noted as #1" in told and "it's shared with another organisation" in told
    assert _posted_in(slack, thread) == []
