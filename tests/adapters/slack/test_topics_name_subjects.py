"""Topics name real subjects on Slack: the slash command's confirmation and the App Home's
"Your topics", through the real Bolt app over signed HTTP against the fake Web API.

Before, "the vet analysis passes now; check the return value" was confirmed with "Topics: vet,
analysis, passe, check, return", and App Home listed "passe" and "check" among your topics.
"""

from __future__ import annotations

import json
import re

from tests.adapters.slack.conftest import until
from tests.scenarios.test_topics_name_subjects import stored_as_before


async def test_confirmation_and_app_home_name_subjects_in_words_written(slack):
    await slack.command("the vet analysis passes now; check the return value")
    await until(lambda: slack.fake.responses)
    confirmation = slack.fake.responses[0]["text"]
    assert "Topics: vet, analysis, pass, value." in confirmation, confirmation
    # An earlier narration, with its topics as an earlier version stored them.
    await slack.command("ssa analysis passes, figure out the line names")
    await until(lambda: len(slack.fake.responses) == 2)
    await stored_as_before(
        slack.db, containing="ssa", renamed={"pass": "passe"}, added=("figure", "line", "name")
    )
    status, _, _ = await slack.event(
        {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1", "event_ts": "1"},
        "Ev-home-topics",
    )
    assert status == 200
    await until(lambda: slack.fake.called("views.publish"))
    text = json.dumps(slack.fake.called("views.publish")[0].params["view"])
    found = re.search(r"\*Your topics:\* ([^\"\\]+)", text)
    assert found, text
    topics = found.group(1).split(", ")
    assert topics[:2] == ["analysis", "pass"], topics
    assert not {"passe", "check", "figure", "line", "name"} & set(topics), topics
