"""Each Slack event's effects happen once, however often Slack delivers it.

Slack retries an event it didn't get a timely 200 for (three times, then hourly with Delayed
Events), and Socket Mode redelivers over any live connection. Retries are never dropped by
header: one that arrives after a crash (a claim left past its lease) does the work. Instead the
event id is claimed in the database before the work and marked done after it
(``storage.platform_store``). Slack never redelivers because our work failed after the 200, so
that is recovered in process (``recovery.py``); the claim is given back only when nobody could
be told.

A delivery of an event this process has already claimed (its work running or done here) is
dropped from memory, before any statement: Slack's quick retries and Socket Mode's redeliveries
mostly land on the process that took the first, and a claim that loses in the database costs
two write transactions, which on SQLite queue behind every other writer. The database claim
still decides everything memory doesn't know (another replica's claim, one left by a crash, an
event forgotten here), so it alone keeps an event's effects to one across replicas. Memory
answers as the database would, but for one case: a claim of ours whose renewals failed past the
lease while its work still runs here is not taken over by a retry here, which would run it twice.

The claim is a lease, renewed while the work runs: work slower than the lease (a slow database,
a big fan-out) would otherwise look abandoned, and a retry on another replica would do it again.
Claims are timed by ``clock`` (the system's in production): a test moves a manual one past the
lease only once it has seen a renewal, so what it proves doesn't depend on the event loop's
latency on a loaded machine.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from narrate_bot.clock import SystemClock
from narrate_bot.events import TenantRef
from narrate_bot.ports import Clock
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database

from . import recovery, translate
from .gateway import ENTERPRISE_KEY, SlackGateway
from .store import PLATFORM

log = logging.getLogger(__name__)
SEEN_KEEP = timedelta(hours=72)  # >= 48 h: Slack's delayed-event retries span 24 h
CLAIM_LEASE = timedelta(seconds=30)  # a claim not renewed for this long was left by a crash
RENEWALS_PER_LEASE = 3  # so one late or failed renewal doesn't lose the claim
PURGE_EVERY = 3600.0
RACE_RETRIES = 3
CLAIMED_HERE_KEEP = 20_000  # events remembered as claimed here; older ones ask the database
Payload = dict[str, Any]


class NotClaimed(Exception):
    """The event couldn't be claimed (the database didn't answer): nothing was done."""


def enterprise_of(body: Payload) -> str | None:
    enterprise = body.get("enterprise")
    return body.get("enterprise_id") or (
        enterprise.get("id") if isinstance(enterprise, dict) else None
    )


@dataclass
class Claim:
    """An event this worker holds. ``owner`` is the ``claimed_at`` it last wrote, its owner
    token (``platform_store.renew_event``); ``lost`` once another worker took the event over;
    ``committed`` once its work's effects are (``committed``)."""

    tenant_id: int
    event_id: str
    owner: datetime
    lost: bool = False
    committed: bool = False
    # Being marked done (``EventDedupe._finish_renewed``), still renewed until it is.
    finishing: bool = False


# The claim whose work runs in this context (``EventDedupe.once``), for ``committed``.
_HELD: ContextVar[Claim | None] = ContextVar("slack_event_claim", default=None)


def committed() -> None:
    """The running event's work has committed its effects (the core committed its change,
    ``Bot.on_committed``, or answered it): from here on, its handler cancelled (a
    shutdown while the core still works out the rest of its answer, or while the answer is on
    its way to Slack) finishes the claim instead of giving it back, or a retry would store it
    and answer it a second time. Nothing outside an event's work (``once``)."""
    held = _HELD.get()
    if held is not None:
        held.committed = True


class EventDedupe:
    def __init__(
        self,
        db: Database,
        gateway: SlackGateway,
        lease: timedelta = CLAIM_LEASE,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.lease = lease  # shorter in tests, so work can outlast it without waiting 30 s
        self.clock: Clock = clock or SystemClock()  # the claims' times; manual in tests
        self.gateway = gateway
        self._tenant_pks: dict[str, int] = {}
        self._last_purge = 0.0
        # (workspace key, event id) -> when this process claimed it, oldest first. Only claims
        # won here and not given back: their work is running here or its effects are committed.
        self._claimed_here: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        # Claims of failed or cancelled work being given back here (or finished, when the
        # cancelled work had committed), by (workspace key, event id).
        self._giving_back: dict[tuple[str, str], asyncio.Task[None]] = {}

    def forget(self, tenant_key: str) -> None:
        """The workspace was erased: its row id must be looked up (or created) again, and its
        claims, deleted with it, are the database's to answer again."""
        self._tenant_pks.pop(tenant_key, None)
        for key in [key for key in self._claimed_here if key[0] == tenant_key]:
            del self._claimed_here[key]

    def _handled_here(self, key: tuple[str, str]) -> bool:
        """Whether this process holds ``key``'s claim, or finished its work, no longer ago than
        the database keeps the record (``SEEN_KEEP``); a record past that is purged there too."""
        oldest = self.clock.now() - SEEN_KEEP
        while self._claimed_here and next(iter(self._claimed_here.values())) < oldest:
            self._claimed_here.popitem(last=False)
        return key in self._claimed_here

    def _claimed(self, key: tuple[str, str]) -> None:
        self._claimed_here[key] = self.clock.now()
        while len(self._claimed_here) > CLAIMED_HERE_KEEP:
            self._claimed_here.popitem(last=False)

    async def tenant_pk(self, tenant: TenantRef, enterprise_id: str | None) -> int:
        """Our row for the workspace, created on first sight; remembers its Grid org too."""
        found = self._tenant_pks.get(tenant.tenant_id)
        if found is not None:
            return found
        now = datetime.now(UTC)
        pk = 0
        for attempt in range(RACE_RETRIES):
            try:
                async with self.db.transaction() as session:
                    row = await repo.ensure_tenant(
                        session,
                        platform=PLATFORM,
                        external_id=tenant.tenant_id,
                        name=tenant.name,
                        now=now,
                    )
                    assert row.id is not None
                    pk = row.id
                    if enterprise_id and enterprise_id != tenant.tenant_id:
                        await repo.set_setting(
                            session, tenant_id=pk, key=ENTERPRISE_KEY, value=enterprise_id, now=now
                        )
                break
            except Exception as error:
                if not ps.lost_a_race(error) or attempt == RACE_RETRIES - 1:
                    raise
        if enterprise_id:
            self.gateway.enterprise_of[tenant.tenant_id] = enterprise_id
        self._tenant_pks[tenant.tenant_id] = pk
        return pk

    async def once(
        self, body: Payload, work: Callable[[], Awaitable[None]], delays: Sequence[float] = ()
    ) -> bool:
        """Run ``work`` once to completion per event id, across retries and replicas. Claiming
        is tried again after each of ``delays``; ``NotClaimed`` when it never succeeds."""
        event_id = body.get("event_id")
        if not event_id:
            await work()
            return True
        here = (translate.tenant_of(body).tenant_id, str(event_id))
        giving_back = self._giving_back.get(here)
        if giving_back is not None:
            # A delivery whose work failed or was cancelled here is still giving its claim
            # back: claimed before that commits, the retry would find it live and be dropped.
            await asyncio.wait([giving_back])
        if self._handled_here(here):
            # What the database would say (done, or a live claim: ours), without a statement.
            log.debug("event %s already handled here", event_id)
            return False

        async def take() -> Claim | None:
            pk = await self.tenant_pk(translate.tenant_of(body), enterprise_of(body))
            now = self.clock.now()
            claimed = await ps.claim_event(
                self.db, tenant_id=pk, event_id=str(event_id), now=now, lease=self.lease
            )
            return Claim(pk, str(event_id), owner=now) if claimed else None

        try:
            held = await recovery.attempts(take, delays, "event claim")
        except Exception as error:
            raise NotClaimed from error
        if held is None:
            log.debug("event %s already handled", event_id)
            return False
        self._claimed(here)
        stop = asyncio.Event()
        keeper = asyncio.create_task(self._keep(held, stop))
        token = _HELD.set(held)
        try:
            await work()
        except BaseException:
            if held.committed:
                # Stopped after its effects were committed (``committed``): finished, as if
                # it had ended, and still remembered as handled here.
                await self._settle(here, self._stop_and_finish(held, keeper, stop, delays))
                raise
            # Forgotten before any await: a second cancellation during the give-back would
            # otherwise leave the event remembered as handled here, and every later retry here
            # dropped.
            self._claimed_here.pop(here, None)
            await self._settle(here, self._stop_and_give_back(held, keeper, stop))
            raise
        finally:
            _HELD.reset(token)
        # Its effects are committed: a claim left unfinished would let a retry do it all again.
        # Renewed until it is finished: stopped first, a finish held up past the lease (a slow
        # or busy database, its own retries) let a retry on another replica take the claim over
        # and do the work a second time.
        # In a task of its own (``_settle``): a shutdown cancelling the handler while the finish
        # is held up left the claim neither finished nor renewed, and past the lease a retry on
        # another replica stored and answered the event again.
        await self._settle(here, self._finish_renewed(held, keeper, stop, delays))
        if time.monotonic() - self._last_purge > PURGE_EVERY:
            self._last_purge = time.monotonic()
            await ps.purge_seen_events(self.db, before=self.clock.now() - SEEN_KEEP)
        return True

    async def _keep(self, claim: Claim, stop: asyncio.Event) -> None:
        """Renew ``claim`` while its work runs, so a retry elsewhere never takes a live claim.

        A claim found taken over (this worker stalled past the lease) is left to its new owner:
        both may now do the work, which is logged, but renewing it back would let a third in.
        """
        every = self.lease.total_seconds() / RENEWALS_PER_LEASE
        while True:
            try:
                await asyncio.wait_for(stop.wait(), every)
                return  # the work is over: stopped between renewals, never in one
            except TimeoutError:
                pass
            now = self.clock.now()
            try:
                kept = await ps.renew_event(
                    self.db,
                    tenant_id=claim.tenant_id,
                    event_id=claim.event_id,
                    owner=claim.owner,
                    now=now,
                )
            except Exception as error:
                # Tried again next time; the lease outlasts a few missed renewals.
                log.warning("slack: an event claim's renewal failed (%s)", type(error).__name__)
                continue
            if not kept:
                if claim.finishing:
                    return  # finished meanwhile (done): no longer a claim to renew
                claim.lost = True
                log.warning(
                    "slack: event %s: its claim was taken over while its work was still running "
                    "here; it may be handled twice",
                    claim.event_id,
                )
                return
            claim.owner = now

    async def _finish_renewed(
        self, claim: Claim, keeper: asyncio.Task[None], stop: asyncio.Event, delays: Sequence[float]
    ) -> None:
        """Finish ``claim`` while its renewals go on, then end them (``_stop``): a renewal that
        meets the finished claim is no takeover (``Claim.finishing``)."""
        claim.finishing = True
        try:
            await self._finish(claim, delays)
        finally:
            await _stop(keeper, stop)

    async def _finish(self, claim: Claim, delays: Sequence[float]) -> None:
        async def finish() -> None:
            await ps.finish_event(self.db, tenant_id=claim.tenant_id, event_id=claim.event_id)

        await recovery.attempts(finish, delays, "finished event's record")

    async def _settle(self, here: tuple[str, str], settling: Coroutine[Any, Any, None]) -> None:
        """End the renewals and give the claim back (or finish it), in a task of its own that a
        cancellation of the handler doesn't cut short. Cancelled again while giving it back (a
        shutdown that cancels twice, a timeout around a cancelled handler), the handler used to
        leave the claim live for the rest of its lease, and a retry inside it was dropped: the
        event was lost, though nobody had answered it. The handler still ends at once; the
        give-back finishes on its own, and a retry here waits for it (``once``)."""
        task = asyncio.get_running_loop().create_task(settling)
        self._giving_back[here] = task

        def done(_: asyncio.Task[None]) -> None:
            if self._giving_back.get(here) is task:
                del self._giving_back[here]

        task.add_done_callback(done)
        await asyncio.shield(task)

    async def _stop_and_give_back(
        self, claim: Claim, keeper: asyncio.Task[None], stop: asyncio.Event
    ) -> None:
        await _stop(keeper, stop)
        await self._give_back(claim)

    async def _stop_and_finish(
        self, claim: Claim, keeper: asyncio.Task[None], stop: asyncio.Event, delays: Sequence[float]
    ) -> None:
        """``_stop_and_give_back``'s counterpart for cancelled work that had committed: its
        failure is logged, not raised over the handler's cancellation (the claim then lapses
        with its lease, as a crash's would). Renewed until finished, as ``once`` finishes."""
        try:
            await self._finish_renewed(claim, keeper, stop, delays)
        except Exception as error:
            log.warning(
                "slack: a cancelled event's claim wasn't finished (%s); it lapses with its lease",
                type(error).__name__,
            )

    async def settled(self) -> None:
        """Wait for the claims being given back (or finished) here (shutting down, or a
        test's next step): the database may be disposed of next."""
        while pending := [task for task in self._giving_back.values() if not task.done()]:
            await asyncio.wait(pending)

    def cancel(self) -> None:
        """Stop giving back (or finishing) the claims still being settled here (shutting down
        past ``drain``'s timeout): the database may be disposed of next. A claim not given back
        lapses with its lease, and a retry after that does the work; one not finished may let a
        retry after its lease do the work again (as a crash would)."""
        for task in self._giving_back.values():
            task.cancel()

    async def _give_back(self, claim: Claim) -> None:
        """Release a failed event's claim so a retry redoes it; a failed release only delays
        that retry until the lease runs out, and must not hide the work's own error."""
        if claim.lost:
            return  # another worker's claim now
        try:
            await ps.release_event(
                self.db, tenant_id=claim.tenant_id, event_id=claim.event_id, owner=claim.owner
            )
        except Exception as error:
            log.warning(
                "slack: an event claim wasn't given back (%s); it lapses with its lease",
                type(error).__name__,
            )


async def _stop(keeper: asyncio.Task[None], stop: asyncio.Event) -> None:
    """End the renewals and wait for them, so none lands after the claim is given back (a
    finished one is renewed until it is done, ``EventDedupe._finish_renewed``). Not by
    cancelling: a renewal cancelled after its write committed left ``owner`` behind
    the database's token, and the failed event's claim was then never given back (it lapsed with
    its lease). ``asyncio.wait`` (not ``await keeper``) never swallows our own cancellation."""
    stop.set()
    try:
        await asyncio.wait([keeper])
    except asyncio.CancelledError:
        keeper.cancel()
        raise
