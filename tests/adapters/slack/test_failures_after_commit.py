"""A failure after the narration was kept never reaches the Slack adapter's retries.

``recovery.attempts`` runs the work again when it raises, and a DM's event claim is given back
for Slack to redeliver: a step failing after the core committed (here blocker help, as when
its search hits a lock timeout) kept the narration once per try and then told the person
"Sorry, … I couldn't save or answer that" with their text to send again. The core answers
with what it kept instead (``Turn.committed_as``), through the real Bolt app."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.features import blocker_help
from narrate_bot_adapters.slack.recovery import SORRY
from tests.adapters.slack.conftest import until

from .test_failures_after_ack import _said, _send, _stored


@pytest.mark.parametrize("surface", ["dm", "command", "modal"])
async def test_a_failure_after_the_narration_was_kept_is_not_tried_again(
    slack, monkeypatch, surface
):
    tries: list[int] = []

    async def failing(*_args: Any, **_kwargs: Any) -> Any:
        tries.append(1)
        raise ConnectionError("database restarting")

    monkeypatch.setattr(blocker_help, "with_help", failing)
    slack.adapter.retry_delays = (0.0, 0.0)
    assert await _send(slack, surface, "stuck on the ledger importer") == 200
    await until(lambda: any("Noted as" in str(s) or SORRY in str(s) for s in _said(slack)))
    assert await _stored(slack) == ["stuck on the ledger importer"]
    assert not any(SORRY in str(s) for s in _said(slack))
    assert any("Noted as #1." in str(s) for s in _said(slack))
    assert tries == [1]
