"""App Home's "Your topics" shows subjects, through the real Bolt app over signed HTTP against the
fake Web API: "the latest wrong behavior of the kafka consumer" is about kafka and the consumer.

Before, "latest", "wrong" and "behavior" were listed among your topics; they stay topics for
matching but are never shown as what someone knows about (``topics.shows_a_subject``).
"""

from __future__ import annotations

import json
import re

from tests.adapters.slack.conftest import until


async def test_app_home_lists_subjects_only(slack):
    await slack.command("the latest wrong behavior of the kafka consumer")
    await until(lambda: slack.fake.responses)
    status, _, _ = await slack.event(
        {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1", "event_ts": "1"},
        "Ev-home-subjects",
    )
    assert status == 200
    await until(lambda: slack.fake.called("views.publish"))
    text = json.dumps(slack.fake.called("views.publish")[0].params["view"])
    found = re.search(r"\*Your topics:\* ([^\"\\]+)", text)
    assert found, text
    assert sorted(found.group(1).split(", ")) == ["consumer", "kafka"], found.group(1)
