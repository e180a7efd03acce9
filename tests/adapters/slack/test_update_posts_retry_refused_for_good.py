"""A form update's retried post that Slack refuses for good tells its author, by DM, why.

The author read "I'll try again in a few minutes" when the first post met a passing error. If
Slack then refuses the retry for good (posting restricted in the channel, the channel archived
since: ``CannotPostThere``), the retry was dropped without a word, and the author kept waiting
for an update that would never show. Now they get one DM saying why it isn't there, in the
words the first try would have used, and that it is kept as their narration. Through the real
Bolt app and slack_sdk against the fake Web API.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_update_posts import _prompt_ts, _submit
from tests.adapters.slack.test_update_posts_retried import _ticks


class _ThreadPostsFail(dict[str, str]):
    """``fake.failures`` refusing only posts in a thread: the DM to the author goes out."""

    def __init__(self, fake: Any, code: str) -> None:
        super().__init__()
        self.fake, self.code = fake, code

    def __contains__(self, method: object) -> bool:
        return method == "chat.postMessage" and bool(self.fake.calls[-1].params.get("thread_ts"))

    def __getitem__(self, method: str) -> str:
        return self.code


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (
            "restricted_action",
            "posting there isn't allowed for me (a workspace setting, or my permissions).",
        ),
        ("is_archived", "it's archived."),
    ],
)
async def test_a_retry_refused_for_good_tells_the_author_why(
    slack: SlackEnv, code: str, why: str
) -> None:
    await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "ratelimited"
    assert "I'll try again in a few minutes" in await _submit(slack, "shipped the importer")
    slack.fake.failures = _ThreadPostsFail(slack.fake, code)
    await _ticks(slack, 120)
    retried = [c for c in slack.fake.calls if c.error == code and c.params.get("thread_ts")]
    assert len(retried) == 1, "the tick tried the thread post again, once"
    dms = [
        str(c.params.get("text"))
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == "U1" and c.error is None
    ]
    told = f"I couldn't post your update #1 in the prompt's thread in #team: {why} It is kept"
    assert len([d for d in dms if told in d]) == 1, dms
    calls = len(slack.fake.called("chat.postMessage"))
    await _ticks(slack, 240)  # dropped: nothing more is tried or said
    assert len(slack.fake.called("chat.postMessage")) == calls
