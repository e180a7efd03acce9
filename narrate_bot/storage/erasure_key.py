"""The server secret that keys forget-me marks (``repositories.forgotten_key``).

A forget-me leaves a mark per user id so what the platform goes on saying of them isn't stored
again. Unkeyed, that mark was a plain digest of the id, and anyone holding the database and a
member list could tell who asked to be forgotten; an HMAC with a secret kept outside the
database can't be recomputed from the database alone.

Where the secret comes from, first found: ``NARRATE_ERASURE_KEY`` (``Settings.erasure_key``, or
the environment for code that builds a ``Database`` itself); on SQLite, a key file beside the
database file, made once (mode 0600) so the embedded quick start needs no setting (an
in-memory database gets a key of its own, gone with it). The key file is made by the startup
check alone (``check_erasure_key``, which records its check value in the same breath): a
``Database`` nobody checked (a script, a tool, another application's file) that needs the key
finds none and is refused (``ErasureKeyError``), rather than leave a new key beside a database
whose marks may have been written with another. On PostgreSQL there is no default: the
replicas must all use one key, and a replica that made up its own would not recognise anyone the
others marked, so ``Database`` refuses to open without it (``ErasureKeyError``).

A wrong key is found by a check value the database keeps (``ErasureKeyCheck``, one row: an
HMAC of a constant, which tells nothing of the key nor of anyone), written by the first process
to start: ``check_erasure_key`` at startup, and ``hold_check_value`` before each new mark
(``repositories``), refuse a key the marks weren't written with, so a second replica with
another key is refused at its start even before anyone was forgotten. A workspace's value from
before (``CHECK_KEY``) is still compared at startup. A forget-me refused for the key tells the
person nothing was erased (``features.privacy.KEY_MISMATCH``). The key is never logged nor
kept in anything that prints (``Database`` keeps it in its sessions' info).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

ERASURE_KEY_SETTING = "NARRATE_ERASURE_KEY"
KEY_FILE_SUFFIX = ".erasure-key"
MIN_KEY_CHARS = 32
# Where a ``Database`` puts its key in each session's ``info``, for ``forgotten_key``.
SESSION_INFO = "narrate_erasure_key"
# The workspace setting that held ``check_value`` before the database kept one (migration 0060
# copied it into ``erasure_key_check``); still compared at startup, no longer written.
CHECK_KEY = "privacy.erasure_key_check"
_CHECKED = b"narrate-bot erasure key check"
HOW_TO_MAKE_ONE = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


class ErasureKeyError(RuntimeError):
    """No usable erasure key, or not the one the database's marks were written with; the message
    names what to set or restore (never the key)."""


class ErasureKey:
    """The key and where it came from (for messages). Its ``repr`` shows no key.

    ``secret`` may be a function that reads it (SQLite's key file): called at the first use,
    so merely opening a file, another application's say, reads nothing. The file is made only
    by ``make_file``, which only the startup check (``repositories.check_erasure_key``) calls,
    after the foreign-file check and the migrations, and only while the database has no check
    value; any other use finding no file is refused."""

    __slots__ = ("_file", "_keyed", "_source", "origin")

    def __init__(
        self, secret: bytes | Callable[[], bytes], origin: str, file: Path | None = None
    ) -> None:
        self._source = secret
        self._keyed: hmac.HMAC | None = None
        self._file = file
        self.origin = origin

    @property
    def unmade(self) -> bool:
        """Its key file doesn't exist yet: the first use would make a new key (the startup
        check refuses instead when the database already has a check value)."""
        return self._keyed is None and self._file is not None and not self._file.exists()

    def __repr__(self) -> str:
        return f"ErasureKey(origin={self.origin!r})"

    def make_file(self) -> None:
        """Make the key file when it doesn't exist yet (the first process to start keeps its
        key). For the startup check alone, which records the new key's check value."""
        if self._keyed is None and self._file is not None:
            _create(self._file)

    @property
    def check_value(self) -> str:
        return self.mac(_CHECKED.decode())[:32]

    def mac(self, message: str) -> str:
        if self._keyed is None:
            secret = self._source() if callable(self._source) else self._source
            # Keyed once and copied per message: a channel's reader list asks for thousands.
            self._keyed = hmac.new(secret, digestmod=hashlib.sha256)
            self._source = b""
        keyed = self._keyed.copy()
        keyed.update(message.encode())
        return keyed.hexdigest()


def key_file_for(database: str) -> Path:
    """The key file kept beside an SQLite database file (``narrate.db.erasure-key``)."""
    return Path(f"{database}{KEY_FILE_SUFFIX}")


def resolve(*, dialect: str, database: str | None, given: str | None) -> ErasureKey:
    """The erasure key a ``Database`` uses (see the module's docstring for the order)."""
    text = given if given else os.environ.get(ERASURE_KEY_SETTING) or None
    if text is not None:
        return ErasureKey(_usable(text, ERASURE_KEY_SETTING), ERASURE_KEY_SETTING)
    if dialect == "postgresql":
        raise ErasureKeyError(
            f"{ERASURE_KEY_SETTING} is not set. On PostgreSQL it is required, and every replica "
            "must use the same value: it keys the marks a forget-me leaves, so the database "
            "alone can't tell who asked to be forgotten. Make one with "
            f"{HOW_TO_MAKE_ONE} and set it on every replica."
        )
    if database in (None, "", ":memory:"):
        return ErasureKey(secrets.token_hex(32).encode(), "an in-memory key")
    path = key_file_for(database)
    return ErasureKey(lambda: _read(path), f"the key file {path}", path)


def _usable(text: str, where: str) -> bytes:
    text = text.strip()
    if len(text) < MIN_KEY_CHARS:
        raise ErasureKeyError(
            f"{where} holds {len(text)} characters; an erasure key needs at least "
            f"{MIN_KEY_CHARS}. Make one with {HOW_TO_MAKE_ONE}."
        )
    return text.encode()


def _read(path: Path) -> bytes:
    """The key in ``path``; none there is refused, never made up (``ErasureKey.make_file``)."""
    try:
        return _usable(path.read_text(), str(path))
    except FileNotFoundError:
        raise ErasureKeyError(
            f"The erasure key file {path} doesn't exist, and this process didn't start the "
            "database the way that makes it (narrate-bot migrate, run or console do, once they "
            "have checked the database): start narrate-bot on it first, restore the key file if "
            f"it was lost, or set {ERASURE_KEY_SETTING}."
        ) from None
    except OSError as problem:
        raise ErasureKeyError(
            f"Can't read the erasure key file {path} ({problem.strerror}). Make it readable by "
            f"the bot's user, or set {ERASURE_KEY_SETTING}."
        ) from None


def _create(path: Path) -> None:
    """A new key in ``path`` unless one is there. Made under a temporary name and linked into
    place, so two processes starting on a new database at once keep the first one's key and
    nobody reads a half-written file."""
    if path.exists():
        return
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        _write_new(temporary)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
        except OSError:
            # A filesystem without hard links (some network and FAT mounts): made in place,
            # still only by whoever creates the file first.
            with contextlib.suppress(FileExistsError):  # another process made it first
                _write_new(path)
        finally:
            temporary.unlink()
    except OSError as problem:
        raise ErasureKeyError(
            f"Can't write the erasure key file {path} ({problem.strerror}). Check that its "
            f"folder is writable, or set {ERASURE_KEY_SETTING}."
        ) from None


def _write_new(path: Path) -> None:
    """A new key in ``path``, which must not exist yet (``FileExistsError``), mode 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
        file.flush()
        os.fsync(file.fileno())


def session_key(session: AsyncSession) -> ErasureKey:
    """The key of the ``Database`` this session came from."""
    key = session.info.get(SESSION_INFO)
    if not isinstance(key, ErasureKey):
        raise ErasureKeyError("this session wasn't opened by a Database: it has no erasure key")
    return key


def mismatch(key: ErasureKey) -> ErasureKeyError:
    if key.origin == ERASURE_KEY_SETTING:
        fix = (
            f"Set {ERASURE_KEY_SETTING} to the value it had when they were written (every "
            "replica needs the same one)."
        )
    else:
        fix = (
            f"Was {key.origin} lost or replaced? Restore the one kept beside the database (a "
            f"backup of the database needs its key file too), or set {ERASURE_KEY_SETTING} to "
            "its contents."
        )
    return ErasureKeyError(
        f"The erasure key ({key.origin}) is not the one this database's forget-me marks were "
        f"written with, so people who asked to be forgotten would not be recognised. {fix} "
        f"{IF_LOST}"
    )


# What to do when the key is lost for good (also in the README).
IF_LOST = (
    "If that key is lost for good, delete the database's check value to start with a new key "
    f"(DELETE FROM erasure_key_check; and DELETE FROM tenant_setting WHERE key = '{CHECK_KEY}'; "
    "for a value kept from before), knowing that people forgotten before will no longer be "
    "recognised: they may be stored again from channels' reader lists until they ask again."
)
