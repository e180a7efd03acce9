"""When too many requests were refused lately, Discord posting pauses until enough of them are
ten minutes old (``InvalidRequestBudget``). A scheduled send that meets the pause is tried again
once it is over, not 1, 2 and 4 minutes later inside it, spending every try it has there."""

from narrate_bot.features.schedule_delivery import _wait
from narrate_bot_adapters.discord.gateway import (
    WINDOW_SECONDS,
    InvalidRequestBudget,
    OutboundPaused,
)


def _paused(budget: InvalidRequestBudget) -> OutboundPaused:
    try:
        budget.check()
    except OutboundPaused as paused:
        return paused
    raise AssertionError("posting isn't paused")


def test_a_paused_send_is_tried_again_once_the_pause_is_over() -> None:
    now = [0.0]
    budget = InvalidRequestBudget(3, clock=lambda: now[0])
    for at in (0.0, 100.0, 200.0):
        now[0] = at
        budget.observe(403)
    now[0] = 300.0

    now[0] += _wait(_paused(budget), 0).total_seconds()

    budget.check()  # the retry posts: the first refusal has left the window
    assert now[0] <= WINDOW_SECONDS + 60, "and not long after the pause"


def test_more_refusals_than_the_limit_pause_until_enough_are_old() -> None:
    now = [0.0]
    budget = InvalidRequestBudget(2, clock=lambda: now[0])
    for at in (0.0, 100.0, 200.0, 300.0):
        now[0] = at
        budget.observe(403)
    now[0] = 400.0

    now[0] += _wait(_paused(budget), 0).total_seconds()

    budget.check()  # one is left of the four: posting goes on
    assert now[0] == 200.0 + WINDOW_SECONDS, "the third refusal's, not the first's, end"
