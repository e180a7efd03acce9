"""The kind follow-up on an open question nobody closed (issue #3).

A question stays open until its asker says it was answered or withdraws it; many never come
back to say so. ``question_nudge_days`` (14) after asking, the asker gets one DM: is it still
open? Answered / Still open / Withdraw, each a button for the question's own command. "Still
open" earns one more DM the same while later, and then none: participation is voluntary, so
the bot asks twice at most and never closes a question on its own (an answer may still come;
only its asker knows). Digests list only the week's questions anyway, so an unanswered nudge
takes nothing away. Nobody paused, gone, or no longer taking part is DMed (a paused asker is
asked once they are back).

The first wake-up after upgrading found every old open question due at once, and DMed each
asker once per question in a minute, about questions months old too. So an asker gets one
such DM a week at most (their longest waiting first, the others in later weeks), and a
question never asked about is not asked about once it is three waits old (42 days): it
predates the follow-up, or was missed, and a DM about it surprises more than it helps
(``storage.question_nudges.ASKER_GAP``, ``TOO_OLD``).

Each DM is claimed before it is sent (``storage.question_nudges.claim``): replicas waking at
once send it once. A DM the platform answered and took nothing of (``ports.NotPosted``: an
outage, a rate limit) is sent again at a later wake-up, after the repairs' back-off
(``repair_pace.backoff``, at least the platform's ``Retry-After``); each retry is claimed too.
A paused asker's retry waits for their return, but a first DM's is dropped once its question
is past the 42 days: the same DM, it keeps the first DM's cut-off (and its next try is
cleared then, so the export shows none).
On Discord, where no departure is told, the asker is looked up just before (a
``ports.AccessRefresher``): one who left has their questions closed, and isn't DMed.
One refused for good (``CannotPostThere``: the asker's DMs closed, their account deactivated)
is never tried again, and neither is one that failed any other way: it may have gone out, and
would arrive twice (a reminder, not worth that). Retries stop after ``MAX_TRIES`` (about four
hours of back-off): a refusal that lasts longer (a bad request the platform answers the same
every time) is not worth a warning every six hours for as long as the question stays open.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..channel_names import shown
from ..events import Platform
from ..knowledge.fire_times import zone_named
from ..ports import AccessRefresher, CannotPostThere, NotPosted, RefusedForGood
from ..replies import Button, Post
from ..storage import question_nudges as store
from . import repair_pace
from .open_questions import ASK_CHANNEL_COMMAND
from .schedule_posts import tenant_ref

if TYPE_CHECKING:
    from ..app import Bot

log = logging.getLogger(__name__)

# Tries of one DM the platform took nothing of: back-offs of 2, 4, … 128 minutes, about 4 h.
MAX_TRIES = 8

BATCH = 50


def _wait(bot: Bot) -> timedelta:
    return timedelta(days=bot.settings.question_nudge_days)


def _grace(bot: Bot) -> timedelta:
    """How long past its question's cut-off a first DM's retry due by it may still go out."""
    return timedelta(minutes=bot.settings.schedule_grace_minutes)


async def next_due(bot: Bot, *, after: datetime | None, until: datetime) -> datetime | None:
    """The earliest nudge due in ``(after, until]`` for ``run_due``: reads only."""
    if not bot.gateways:
        return None
    async with bot.db.snapshot() as session:
        return await store.next_due_at(
            session,
            platforms=[p.value for p in bot.gateways],
            wait=_wait(bot),
            after=after,
            until=until,
            grace=_grace(bot),
        )


def buttons(question_id: int) -> tuple[Button, ...]:
    ref = f"q{question_id}"
    return (
        Button(label="Answered", command=f"{ASK_CHANNEL_COMMAND} answered {ref}"),
        Button(label="Still open", command=f"{ASK_CHANNEL_COMMAND} still-open {ref}"),
        Button(label="Withdraw", command=f"{ASK_CHANNEL_COMMAND} withdraw {ref}", danger=True),
    )


def _asked_on(asked_at: datetime, zone: str | None) -> str:
    try:
        tz = zone_named(zone) if zone else ZoneInfo("UTC")
    except Exception:  # a zone tzdata no longer has
        tz = ZoneInfo("UTC")
    local = asked_at.astimezone(tz)
    return f"{local.day} {local:%b}"


def text_of(item: store.Due, *, days: int) -> str:
    """What the DM says: the question, where and when, and what each answer does (not replying
    is an answer too: the question stays open, and the bot doesn't ask again)."""
    question = item.question
    assert question.id is not None
    when = _asked_on(store._aware(question.asked_at), item.asker.timezone)
    ref = f"q{question.id}"
    lead = (
        f"Your question in {shown(item.channel_name)} from {when} — “{question.text}” — is it "
        "still open?"
    )
    thanks = f"If someone answered it, {ASK_CHANNEL_COMMAND} answered {ref} by @name thanks them."
    if item.nudge == 1:
        then = (
            f"Still open: I'll ask once more in {days} days. If you don't reply, it stays open "
            "and I won't ask again; I never close it on my own."
        )
    else:
        then = "This is the last time I ask; it stays open until you close it."
    return f"{lead} {thanks} {then}"


async def send_due(bot: Bot, now: datetime, *, limit: int = BATCH) -> int:
    """Claim and send the nudges due at ``now`` (up to ``limit``); returns how many went out."""
    if not bot.gateways:
        return 0
    wait = _wait(bot)
    async with bot.db.snapshot() as session:
        due = await store.due(
            session,
            platforms=[p.value for p in bot.gateways],
            wait=wait,
            now=now,
            limit=limit,
            grace=_grace(bot),
        )
    sent = 0
    for item in due:
        question_id = item.question.id
        assert question_id is not None
        try:
            async with bot.db.transaction() as session:
                if item.retry_at is not None:
                    claimed = await store.claim_retry(session, question_id=question_id, now=now)
                else:
                    claimed = await store.claim(
                        session, question_id=question_id, nudge=item.nudge, wait=wait, now=now
                    )
                if not claimed:
                    continue  # another replica's, or closed meanwhile
        except Exception as problem:  # one question's trouble never stops the others
            log.warning("claiming a question's nudge failed: %s", type(problem).__name__)
            continue
        platform = Platform(item.tenant.platform)
        gateway = bot.gateways.get(platform)
        if gateway is None:
            continue
        if isinstance(gateway, AccessRefresher) and not await _asker_still_here(bot, gateway, item):
            continue
        post = Post(
            text=text_of(item, days=bot.settings.question_nudge_days),
            to_users=(item.asker.user_id,),
            buttons=buttons(question_id),
        )
        try:
            await gateway.post(tenant_ref(item.tenant), post)
        except NotPosted as problem:  # the platform took nothing: a later try can't send twice
            await _retry_later(bot, item, problem, now=now)
            continue
        except (CannotPostThere, RefusedForGood) as problem:  # the same answer until changed
            log.warning(
                "asking whether a question is still open was refused: %s: %s",
                type(problem).__name__,
                problem.reason,
            )
            continue
        except Exception as problem:  # it may have gone out: never sent twice
            log.warning(
                "asking whether a question is still open failed: %s", type(problem).__name__
            )
            continue
        sent += 1
    # Retries dropped at their question's cut-off (held by a pause past it) keep no
    # ``retry_at``: the export would still show a next try. After the sends, so that a retry
    # due by the cut-off goes out; one due by it is sent and kept until the schedules' grace
    # after it (a wake-up comes up to a tick late; another replica may be about to claim it).
    try:
        async with bot.db.snapshot() as session:
            stale = await store.any_retry_past_cut_off(
                session, wait=wait, now=now, grace=_grace(bot)
            )
        if stale:
            async with bot.db.transaction() as session:
                await store.drop_retries_past_cut_off(
                    session, wait=wait, now=now, grace=_grace(bot)
                )
    except Exception as problem:  # tried again at the next wake-up
        log.warning("dropping question nudges' retries failed: %s", type(problem).__name__)
    return sent


async def _asker_still_here(bot: Bot, gateway: AccessRefresher, item: store.Due) -> bool:
    """Whether the claimed DM is still to be sent once the asker is looked up afresh.

    A platform that tells of no departure (Discord without the privileged members intent)
    re-reads the asker first: one who left is reported to the core, which closes their open
    questions (``departed_questions``), and the DM asking about one is not sent. Before, only
    askers re-read for a weekly DM (introductions, followed topics: those reading a private
    channel) were ever found gone; anyone else's question stayed open, and they were asked
    about it. A lookup that fails says nothing: the DM goes as before."""
    question_id = item.question.id
    assert question_id is not None
    try:
        await gateway.refresh_access(tenant_ref(item.tenant), [item.asker.user_id])
    except Exception as problem:
        log.info(
            "couldn't look up a question's asker before asking if it is still open: %s",
            type(problem).__name__,
        )
        return True
    async with bot.db.snapshot() as session:
        return await store.is_open(session, question_id=question_id)


async def _retry_later(bot: Bot, item: store.Due, problem: NotPosted, *, now: datetime) -> None:
    """The DM is due again after the back-off, and at least the platform's ``Retry-After``.
    If recording that fails, or this was the last try, the DM stays claimed and unsent, as
    before retries."""
    question_id = item.question.id
    assert question_id is not None
    if item.attempts + 1 >= MAX_TRIES:
        log.warning(
            "asking whether a question is still open failed %d times: %s; given up",
            MAX_TRIES,
            type(problem).__name__,
        )
        return
    wait = repair_pace.backoff(item.attempts + 1)  # this try failed too
    if problem.retry_after:
        wait = max(wait, timedelta(seconds=problem.retry_after))
    log.warning(
        "asking whether a question is still open failed: %s; trying again in %d minutes",
        type(problem).__name__,
        wait // timedelta(minutes=1),
    )
    try:
        async with bot.db.transaction() as session:
            await store.retry_later(
                session, question_id=question_id, nudge=item.nudge, at=now + wait
            )
    except Exception as failure:
        log.warning("recording a question nudge's retry failed: %s", type(failure).__name__)
