"""A person's own data: export it all as JSON, or erase it all after a confirmation.

Erasure also deletes the bot's posts of their open questions ("@zoe is looking for someone
who knows about …"), which name them in a channel: where they are is read before the rows go,
and the posts are deleted once the erasure has committed, best effort; the weekly digests'
copies of those questions are edited out of their threads the same way (``digest_copies``).
So are the posts of their form updates in prompts' threads (``update_posts``). A platform that
keeps a post never holds the erasure back; the reply says which stayed.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from ..events import ActorEvent, CommandInvoked
from ..replies import Attachment, Button, Reply
from ..routing import NARRATE, parse_command, parse_named
from ..storage import intro_posts as intro_post_repo
from ..storage import narration_copies as copy_repo
from ..storage import privacy, question_repo
from ..storage import update_posts as update_post_repo
from ..storage.database import Database, Session
from ..storage.erasure_key import ErasureKeyError
from ..storage.tables import Person
from . import digest_copies, intro_posts, narration_copies, update_posts
from .question_posts import remove_posts, unremoved
from .server_scope import only_here
from .turn import Turn

log = logging.getLogger(__name__)

CONFIRM_WINDOW = timedelta(minutes=10)
CONFIRM_COMMAND = "/narrate forget-me confirm"

# The commands that leave someone forgotten as they are: asking what is kept (``export``),
# asking to be forgotten again or confirming it, and help. None of them clears the person's
# forgotten mark (``Turn.still_here``), nor stores anything of theirs.
KEEP_FORGOTTEN = frozenset({"export", "forget", "forget_confirm", "help", "intros_help"})


def brings_back(event: ActorEvent) -> bool:
    """Whether handling ``event`` is the person using the bot as anyone does, which brings them
    back after a forget-me (their mark cleared, their memberships stored: ``Turn.still_here``).
    ``False`` for the ``KEEP_FORGOTTEN`` commands, typed or clicked (the forget-me confirmation
    button): an adapter re-checking their access before one (Discord) re-checks it as an event
    about them (``MembershipChanged.by_actor`` ``False``), so "what do you keep about me?"
    finds nothing, as it does with no re-check."""
    if not isinstance(event, CommandInvoked):
        return True
    name, _, sub = event.command.lower().lstrip("/").partition(" ")
    if name != NARRATE:
        return True
    sub = sub.strip()
    command = parse_named(sub, event.text) if sub else parse_command(event.text)
    return command.action not in KEEP_FORGOTTEN


def erasure_pending(person: Person, now: datetime) -> bool:
    """Asked to be forgotten and may still confirm: scheduled messages hold off meanwhile. A
    request nobody confirmed lapses with its window, and reminders and follow-ups resume."""
    requested = person.erase_requested_at
    return requested is not None and now - CONFIRM_WINDOW <= requested <= now


async def lapse_requests(db: Database, now: datetime) -> None:
    """Clear the forget-me requests whose window to confirm passed (the scheduler's every
    wake-up): a request nobody confirmed is no request, and its time isn't kept. Asked in a
    snapshot first: an idle wake-up takes no write lock on SQLite."""
    async with db.snapshot() as session:
        if not await privacy.any_lapsed_erasure_request(session, before=now - CONFIRM_WINDOW):
            return
    async with db.transaction() as session:
        await privacy.lapse_erasure_requests(session, before=now - CONFIRM_WINDOW)


async def _by_user_id(turn: Turn, session: Session) -> dict[str, Any] | None:
    """What is kept under the actor's user id alone, when they have no person row (they never
    narrated or joined): private-channel memberships, the app's installer record."""
    tenant = await turn.tenant(session)
    assert tenant.id is not None
    return await privacy.export_user(session, tenant_id=tenant.id, user_id=turn.event.user.user_id)


def _describe(kept: dict[str, Any]) -> str:
    parts = []
    if count := len(kept["channel_memberships"]):
        places = "private channel or DM" if count == 1 else "private channels or DMs"
        parts.append(f"as a member of {count} {places}")
    if kept["installed_the_app"]:
        parts.append("as the person who installed the app")
    if count := len(kept["who_knows_answers"]):
        answers, it = (
            ("1 who-knows answer", "it") if count == 1 else (f"{count} who-knows answers", "they")
        )
        parts.append(f"with when you were given {answers} and whether {it} helped")
    if count := len(kept["button_commands"]):
        parts.append(
            "with the words of 1 button I showed you"
            if count == 1
            else f"with the words of {count} buttons I showed you"
        )
    if len(parts) < 3:
        return " and ".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


async def _only_here(turn: Turn, session: Session) -> str:
    """Where an export or erasure applies, when that is not everywhere the person is: on
    Discord this server; on Slack Enterprise Grid this workspace, naming the organisation's
    others that keep something of theirs. Each workspace is a tenant of its own, its posts
    reachable only through its own install, so they are exported and erased one by one, each
    from where the person runs the command there (docs/adr/0009)."""
    if on_discord := only_here(
        turn, "every server I'm in keeps its own, so run it in each server you narrated in."
    ):
        return on_discord
    tenant = await turn.tenant(session)
    assert tenant.id is not None
    others = await privacy.other_workspaces(
        session, tenant_id=tenant.id, user_id=turn.event.user.user_id
    )
    if others is None:
        return ""
    name = turn.event.tenant.name
    here = f"this workspace ({name})" if name else "this workspace"
    kept = f" (I keep something about you in {', '.join(others)} too)" if others else ""
    return (
        f"\nThat is {here} only: each workspace of your organisation keeps its own{kept}, so "
        "run it in each workspace you narrated in."
    )


async def export(turn: Turn) -> list[Reply]:
    async with turn.reading() as session:
        scope = await _only_here(turn, session)
        person = await turn.known_person(session)
        if person is not None:
            data = await privacy.export_person(session, person=person)
        elif (kept := await _by_user_id(turn, session)) is not None:
            data = kept
        else:
            return [turn.reply("I have nothing stored about you.")]
    data["exported_at"] = turn.now.isoformat()
    content = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    filename = f"narrate-export-{turn.event.user.user_id}-{turn.now:%Y%m%d-%H%M%S}.json"
    count = len(data["narrations"])
    return [
        turn.reply(
            f"Here is everything I store about you ({count} narration{'s' if count != 1 else ''})."
            + scope,
            attachment=Attachment(filename=filename, content=content),
        )
    ]


async def request_erasure(turn: Turn) -> list[Reply]:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None:
            kept = await _by_user_id(turn, session)
            if kept is None:
                return [
                    turn.reply("I have nothing stored about you, so there's nothing to forget.")
                ]
            # Nothing is stored to remember the request by: the confirmation needs no window.
            return [
                turn.reply(
                    f"I store only your user id, {_describe(kept)}. This erases it (the app "
                    "keeps working for everyone else). It can't be undone. To go ahead: "
                    f"{CONFIRM_COMMAND}",
                    buttons=(Button(label="Erase it", command=CONFIRM_COMMAND, danger=True),),
                )
            ]
        person.erase_requested_at = turn.now
        session.add(person)
        scope = await _only_here(turn, session)
    return [
        turn.reply(
            "This erases everything I store about you: your narrations, topics, settings and "
            "memberships, and their traces in the search index. It can't be undone "
            "(/narrate export first if you want a copy). To go ahead within 10 minutes: "
            f"{CONFIRM_COMMAND}" + scope,
            buttons=(Button(label="Erase everything", command=CONFIRM_COMMAND, danger=True),),
        )
    ]


async def confirm_erasure(turn: Turn) -> list[Reply]:
    try:
        return await _confirm_erasure(turn)
    except ErasureKeyError as problem:
        # Not this server's key (a replica started with another, a key file lost): the mark
        # would go unrecognised, so nothing was erased. Only the operator can put it right; the
        # message names the setting or key file, never the key, and nothing of the person.
        log.error("A forget-me was refused, nothing erased: %s", problem)
        return [turn.reply(KEY_MISMATCH)]


# A forget-me refused because the server's erasure key isn't the one its marks were written
# with (``storage.erasure_key``): asking again won't help until the operator fixes the server.
KEY_MISMATCH = (
    "Sorry, I can't erase anything right now: this server's privacy key isn't set up the way "
    "its earlier erasures were, so I couldn't promise to keep you forgotten. Nothing was "
    "erased. Please tell whoever runs me (the bot's logs say what to fix), then ask again "
    "with /narrate forget-me."
)


async def _confirm_erasure(turn: Turn) -> list[Reply]:
    posts: list[question_repo.PostRef] = []
    updates: list[update_post_repo.PostRef] = []
    listed: list[digest_copies.Retraction] = []
    quoted: list[int] = []
    emptied: list[int] = []  # the messages sent to them, to quote nothing
    introduced: list[int] = []
    async with turn.db.transaction() as session:
        scope = await _only_here(turn, session)  # read before their rows go
        # Their user id held alone before anything of theirs is read or held (their row, by
        # the copies below, or "back" if departed): the order of their commands, the user id
        # then the row (``Turn.still_here``); the other way round the two deadlocked.
        held = await turn.tenant(session)
        assert held.id is not None
        await privacy.hold_user_id_to_erase(
            session, tenant_id=held.id, user_id=turn.event.user.user_id
        )
        person = await turn.known_person(session)
        if person is None:
            tenant = await turn.tenant(session)
            assert tenant.id is not None
            user_id = turn.event.user.user_id
            # Their user id held first (as the erasure holds it): an answer being kept for them
            # by another replica commits before the read below, which then empties it too.
            await privacy.hold_user_id_to_erase(session, tenant_id=tenant.id, user_id=user_id)
            # Who-knows answers sent to their DM before they joined: emptied, edited after.
            emptied = await narration_copies.reader_forgotten(
                session, tenant_id=tenant.id, person_id=None, user_id=user_id, now=turn.now
            )
            if (
                not await privacy.erase_user(
                    session, tenant_id=tenant.id, user_id=user_id, now=turn.now
                )
                and not emptied
            ):
                return [turn.reply("I have nothing stored about you.")]
            removed = None
        elif not erasure_pending(person, turn.now):
            person.erase_requested_at = None  # a lapsed request is no request
            session.add(person)
            return [
                turn.reply(
                    "Nothing to confirm: ask with /narrate forget-me first, then confirm within "
                    "10 minutes. Nothing was erased."
                )
            ]
        else:
            assert person.id is not None
            # Read before the rows go (they cascade from the person); deleted after the commit.
            posts = await question_repo.posts_of(session, person_id=person.id)
            updates = await update_post_repo.of_person(session, person_id=person.id)
            # Their questions' lines in weekly digests, edited out of what is kept now.
            listed = await digest_copies.take_out(session, person_id=person.id)
            # Their narrations' lines in others' followed-topics DMs, edited out after.
            quoted = await narration_copies.removed(
                session,
                narration_ids=await copy_repo.quoting_person(session, person_id=person.id),
                now=turn.now,
            )
            # The messages sent to them quoting others' narrations (followed-topics DMs,
            # who-knows answers by DM) quote nothing any more, edited after: the messages stay
            # on the platform, and nothing would be left to reach them by once they are gone.
            emptied = await narration_copies.reader_forgotten(
                session,
                tenant_id=person.tenant_id,
                person_id=person.id,
                user_id=person.user_id,
                now=turn.now,
            )
            # Their introductions' posts in the introductions channel, edited after.
            introduced = await intro_post_repo.posted_of(session, person_id=person.id)
            removed = await privacy.erase_person(
                session, person=person, dialect=turn.db.dialect, now=turn.now
            )
    # Erased and committed: a retry from here on (Slack's, of an event whose handler a shutdown
    # cancelled below; an adapter's own, after a failure below) would find nothing of them and
    # say so. Answered with this instead (``Turn.committed_as``).
    joined = " You can start again any time with /narrate join." + scope
    if removed is None:
        turn.committed_as(
            turn.reply("Done: your user id is gone from everything I kept it in." + joined)
        )
    else:
        turn.committed_as(
            turn.reply(
                f"Done: I erased everything about you, including {removed} "
                f"narration{'s' if removed != 1 else ''}.{joined}"
            )
        )
    # The posts first: their only record (the question rows) is gone, so a failure after this
    # point must not leave them unnamed.
    stayed = await remove_posts(turn, posts) if removed is not None else []
    updates_stayed = await update_posts.remove(turn, updates) if removed is not None else []
    digests_stayed = await digest_copies.retract(turn.gateways, listed)
    quoted_stayed = await narration_copies.sync(
        turn.db, turn.gateways, now=turn.now, copy_ids=quoted
    )
    emptied_stayed = await narration_copies.sync(
        turn.db, turn.gateways, now=turn.now, copy_ids=emptied
    )
    intros_stayed = (
        await intro_posts.sync(
            turn.db,
            turn.gateways,
            now=turn.now,
            lease=timedelta(seconds=turn.settings.schedule_lease_seconds),
            introduction_ids=introduced,
        )
        if introduced
        else 0
    )
    scrubbed = await _clear_traces(turn)
    if removed is None:
        return [
            turn.reply(
                "Done: your user id is gone from everything I kept it in."
                f"{narration_copies.unemptied(emptied_stayed)} You can take part any "
                "time with /narrate join." + scrubbed + scope
            )
        ]
    return [
        turn.reply(
            f"Done: I erased everything about you, including {removed} "
            f"narration{'s' if removed != 1 else ''}.{unremoved(stayed)}"
            f"{update_posts.unremoved(updates_stayed)}"
            f"{digest_copies.unretracted(digests_stayed)}"
            f"{narration_copies.unedited(quoted_stayed, it='your words')}"
            f"{narration_copies.unemptied(emptied_stayed)}"
            f"{intro_posts.unedited(intros_stayed)}{scrubbed} You can start "
            "again any time with /narrate join." + scope
        )
    ]


async def _clear_traces(turn: Turn) -> str:
    """The index scrub and log checkpoint after the erasure committed; a failure (the database
    locked by another process, say) is told, not raised: the erasure stands, nothing finds the
    words any more, and the next scrub (or start, after one cut short) removes what is left."""
    try:
        await privacy.clear_traces(turn.db, erasure=True)
    except Exception as problem:  # noqa: BLE001 - the erasure has committed either way
        log.warning("clearing an erasure's traces failed: %s", type(problem).__name__)
        return (
            " Your words are no longer found, but I couldn't finish wiping them from the search "
            "index's storage just now; my next clean-up does."
        )
    return ""
