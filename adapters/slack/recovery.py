"""When the work after the ack fails: try it again here, then tell the person.

Bolt acks before our listener runs (``SlackAdapter._paced`` for commands and clicks, Bolt itself
for events), so Slack has its 200 and never redelivers because our work failed: nobody else
will recover it. So the work (the lookups, then the core) is tried again in this process after
``RETRY_DELAYS``, and when it still fails the person is told, privately, to send it again:
where they typed a command (its ``response_url``), in the channel where they mentioned the bot,
else in a DM. A modal's text, or a command's, is gone from Slack's screen once sent, so the
notice gives it back to them (to them only; it never reaches the logs).

Once the core has answered, its effects are committed: failing to deliver the answer is logged,
and never runs the core again (a narration would be stored twice). Nor does a failure after
the core kept, edited or deleted a narration reach these retries: the core answers with what
it kept (``Turn.committed_as``), so what is tried again here never kept one.

A rate limit Slack keeps in force (``gateway.RateLimited``: a long ``Retry-After`` is refused at
once, not slept on) is told as what it is, with the time it still lasts: "send it again in a
minute" would fail as often as they tried. Nothing was kept when the work failed, so the notice
says so and gives their text back. When the work was done and only (part of) its answer
couldn't be sent, they are told it was done, and given nothing to paste (sending it again would
do it twice): through a ``response_url``, which the closed Web API doesn't hold up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.knowledge.durations import in_about
from narrate_bot.ports import NotPosted
from narrate_bot.replies import Reply

from . import render
from .delivery import Respond, Target, deliver
from .gateway import RateLimited, SlackGateway, method_of
from .refusals import retry_after

log = logging.getLogger(__name__)
T = TypeVar("T")
# Pauses before the second and third tries: long enough for a database failover or a dropped
# connection to come back, short enough to stay well inside a claimed event's 30 s lease.
RETRY_DELAYS = (0.5, 2.0)
SORRY = (
    "Sorry, something failed on my side and I couldn't save or answer that. "
    "Please send it again in a minute."
)
# A rate limit still in force ({when}: ``in_about``): nothing was kept, so sending it again
# then is safe, and sooner would be refused the same way.
SLOWED = (
    "Sorry, Slack has asked me to slow down for a while, so I couldn't save or answer that: "
    "nothing was kept. Please send it again {when}."
)
# The work was done (and committed); only (part of) its answer couldn't be sent.
SLOWED_AFTER = (
    "Slack has asked me to slow down for a while, so I couldn't send you all of my answer. "
    "What you asked was done, and nothing is lost: please don't send it again. Ask me "
    "{when} if you'd like to see the rest."
)
WROTE = "Here is what you wrote, to paste again:"
Work = Callable[[], Awaitable[tuple[Target, Sequence[Reply]]]]


class Unanswered(Exception):
    """The work failed and the person couldn't be told either (both logged already)."""


@dataclass
class Notice:
    """How to tell a person that their request failed.

    ``respond`` (a command's ``response_url``) first, else an ephemeral message in
    ``channel_id``; a DM when neither is given or works.
    """

    tenant: str
    client: AsyncWebClient
    user_id: str
    respond: Respond | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    wrote: str = ""  # what they typed that Slack no longer shows them (a modal, a command)


async def attempts(work: Callable[[], Awaitable[T]], delays: Sequence[float], what: str) -> T:
    """``work()``, tried again after each of ``delays`` while it raises; not when a rate limit
    in force refused it (``refused_now``): the same refusal would come back at once."""
    for delay in delays:
        try:
            return await work()
        except Exception as error:
            if refused_now(error, delays):
                raise
            # The type only: an error's text may carry what the person wrote.
            log.warning("slack: a %s failed (%s); trying again", what, type(error).__name__)
            log.debug("slack: %s failure", what, exc_info=True)
            await asyncio.sleep(delay)
    return await work()


def refused_now(error: BaseException, delays: Sequence[float] = RETRY_DELAYS) -> bool:
    """Whether ``error`` is (or was raised ``from``) a call a rate limit in force refused
    without asking Slack (``RateLimited``) for longer than any of ``delays``: a retry would be
    refused the same way. A close that passes within the next delay is tried again (a call
    whose wait budget is spent may be refused for a second). Only ``__cause__`` is followed: an
    error merely raised while a refusal was being handled (a database hiccup reading what is
    stored) is no refusal, and is tried again."""
    longest = max(delays, default=0.0)
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, RateLimited) and current.seconds > longest:
            return True
        current = current.__cause__
    return False


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and what caused it, each once."""
    found: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


async def answer(
    gateway: SlackGateway,
    what: str,
    work: Work,
    notice: Notice | None,
    delays: Sequence[float] = RETRY_DELAYS,
) -> bool:
    """Run the person's request and deliver the core's answer (``True``); when the request
    keeps failing, tell them to send it again (``False``). Raises ``Unanswered`` when even
    that can't reach them, and the work's own error when there is no ``notice``."""
    try:
        target, replies = await attempts(work, delays, what)
    except Exception as error:
        if notice is None:
            raise
        log.warning(
            "slack: a %s failed %d times (%s); telling the person to send it again",
            what,
            1 if refused_now(error, delays) else len(delays) + 1,
            type(error).__name__,
        )
        log.debug("slack: %s failure", what, exc_info=True)
        await tell(gateway, notice, slowed=slowed_for(gateway, notice.tenant, error))
        return False
    try:
        await deliver(gateway, target, replies)
    except Exception as error:
        log.warning(
            "slack: the answer to a %s wasn't delivered (%s); what it did is kept",
            what,
            type(error).__name__,
        )
        log.debug("slack: %s delivery failure", what, exc_info=True)
        wait = slowed_for(gateway, target.tenant, error)
        if wait is not None and notice is not None:
            # Only a rate limit is told: its answer is "done, the rest later". Another failure
            # may have delivered part of the answer, and a notice could contradict it.
            with contextlib.suppress(Unanswered):
                await tell(gateway, notice, slowed=wait, done=True)
    return True


def slowed_for(gateway: SlackGateway, tenant: str, error: BaseException) -> float | None:
    """The seconds a rate limit behind ``error`` still lasts, or ``None`` when ``error`` is no
    rate limit (nor caused by one: a ``NotPosted`` carries Slack's ``Retry-After`` too). The
    workspace's limiter knows best how much is left of the refused method's close (the longest
    close there when no error names the method); the error's own wait when it has passed."""
    chain = _chain(error)
    method = next(
        (name for e in chain if isinstance(e, SlackApiError) and (name := method_of(e))), None
    )
    for found in chain:
        wait: float | None = None
        if isinstance(found, SlackApiError):
            wait = retry_after(found)
        elif isinstance(found, NotPosted):
            wait = found.retry_after
        if wait is not None:
            return gateway.limiter(tenant).closed_for(method) or wait
    return None


async def tell(
    gateway: SlackGateway, notice: Notice, *, slowed: float | None = None, done: bool = False
) -> None:
    """Say ``SORRY`` (and give back what they wrote) where the person will see it; ``SLOWED``
    instead while a rate limit lasts ``slowed`` seconds more, or ``SLOWED_AFTER`` when what
    they asked was ``done`` (nothing is given back then: sending it again would do it twice)."""
    if slowed is None:
        payload = _sorry(SORRY, notice.wrote)
    elif done:
        payload = render.message(SLOWED_AFTER.format(when=in_about(slowed)))
    else:
        payload = _sorry(SLOWED.format(when=in_about(slowed)), notice.wrote)
    client = notice.client

    async def respond() -> None:
        assert notice.respond is not None
        sent = await notice.respond(response_type="ephemeral", replace_original=False, **payload)
        status = int(getattr(sent, "status_code", 200))
        if status >= 400:
            raise ConnectionError(f"response_url answered {status}")

    async def ephemeral() -> None:
        await gateway.call(
            notice.tenant,
            "chat.postEphemeral",
            lambda: client.chat_postEphemeral(
                channel=str(notice.channel_id),
                user=notice.user_id,
                thread_ts=notice.thread_ts,
                **payload,
            ),
        )

    async def direct() -> None:
        await gateway.call(
            notice.tenant,
            "chat.postMessage",
            lambda: client.chat_postMessage(channel=notice.user_id, **payload),
        )

    routes: list[Callable[[], Awaitable[None]]] = []
    if notice.respond is not None:
        routes.append(respond)
    elif notice.channel_id:
        routes.append(ephemeral)
    routes.append(direct)
    for route in routes:
        try:
            await route()
            return
        except Exception as error:
            log.warning("slack: couldn't tell the person either (%s)", type(error).__name__)
    raise Unanswered


def _sorry(text: str, wrote: str) -> dict[str, Any]:
    payload = render.message(text + (f"\n{WROTE}" if wrote.strip() else ""))
    if wrote.strip():
        # Plain text: shown exactly as typed, with no markup to ping or disguise anything.
        payload["blocks"] = [*payload["blocks"], *render.verbatim(wrote)]
    return payload
