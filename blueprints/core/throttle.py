"""Counters every worker shares, and the login throttle built on them.

Counters live in the database by default (table ``rate_counter``, one upsert per hit) and in Redis when
``RATELIMIT_STORAGE_URI`` is a ``redis://`` URL. Flask-Limiter (the per-address limit of the public QR check)
uses the same counters through the ``sinergi://`` storage below, so no limit is ever kept per worker.

Login throttling protects an account without letting anyone lock its owner (or a whole office behind one NAT
address) out:

- per (account, address) pair: after ``LOGIN_LIMIT_PAIR`` failures (5 per 15 minutes) that browser's attempts
  for that account are refused until the window ends. Other accounts from the same address, and the same
  account from another address, are not affected.
- per account, over all addresses: past ``LOGIN_LIMIT_ACCOUNT`` failures (10 per hour), every further attempt
  has to wait a delay that doubles with each failure (2 s, 4 s, … up to ``LOGIN_DELAY_MAX``): an attacker with
  many addresses gets a handful of guesses an hour, while the owner typing the right password from a new
  address waits at most that delay, never a lockout.

An attempt refused by the throttle is not evaluated and does not count. A successful login clears the account's
counters.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import redis
from flask import current_app, has_app_context
from limits import parse as parse_limit
from limits.storage import Storage
from sqlalchemy import BigInteger, String, case, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)


class RateCounter(db.Model):
    __tablename__ = "rate_counter"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# ---- storages ---------------------------------------------------------------------------------------------


class DatabaseCounters:
    """Fixed-window counters in ``rate_counter``. Each call runs in a short transaction of its own (a separate
    connection), so a count survives the request's rollback and never commits the request's work."""

    @property
    def engine(self):
        return db.engine

    def _insert(self):
        return pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert

    def incr(self, key: str, seconds: int, amount: int = 1) -> tuple[int, float]:
        now = utcnow()
        expires = now + timedelta(seconds=seconds)
        table = RateCounter.__table__
        expired = table.c.expires_at <= literal(now, UTCDateTime())
        stmt = self._insert()(table).values(key=key, count=amount, expires_at=expires)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "count": case((expired, amount), else_=table.c.count + amount),
                "expires_at": case((expired, literal(expires, UTCDateTime())), else_=table.c.expires_at),
            },
        ).returning(table.c.count, table.c.expires_at)
        with self.engine.begin() as conn:
            count, until = conn.execute(stmt).one()
        if until.tzinfo is None:  # a CASE result on SQLite comes back without the column type
            until = datetime.fromisoformat(str(until)).replace(tzinfo=now.tzinfo)
        return int(count), until.timestamp()

    def get(self, key: str) -> tuple[int, float | None]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(RateCounter.count, RateCounter.expires_at).where(
                    RateCounter.key == key, RateCounter.expires_at > literal(utcnow(), UTCDateTime())
                )
            ).first()
        return (int(row[0]), row[1].timestamp()) if row else (0, None)

    def set(self, key: str, value: int, seconds: int) -> None:
        table = RateCounter.__table__
        expires = utcnow() + timedelta(seconds=seconds)
        stmt = self._insert()(table).values(key=key, count=value, expires_at=expires)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"], set_={"count": value, "expires_at": expires}
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def clear(self, *keys: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(RateCounter).where(RateCounter.key.in_(keys)))

    def reset(self, prefix: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(RateCounter).where(RateCounter.key.startswith(prefix, autoescape=True)))

    def purge(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(RateCounter).where(RateCounter.expires_at <= literal(utcnow(), UTCDateTime()))
            )


class RedisError(OSError):
    pass


class RedisCounters:
    """The same counters in Redis (redis-py; INCR with an expiry, GET, SET and DEL)."""

    _INCR = (
        "local c = redis.call('INCRBY', KEYS[1], ARGV[2]) "
        "if c == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
        "return {c, redis.call('PTTL', KEYS[1])}"
    )

    def __init__(self, url: str, timeout: float = 2.0):
        if urlsplit(url).scheme not in ("redis", "rediss"):
            raise ValueError("RATELIMIT_STORAGE_URI: only redis://[:password@]host[:port][/db] is supported")
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)

    def call(self, *commands):
        """Run one or more commands (tuples); returns the last reply. Errors become ``RedisError`` so the
        caller can fall back to the database counters."""
        try:
            reply = None
            for command in commands:
                reply = self.client.execute_command(*command)
            return reply
        except redis.RedisError as exc:
            raise RedisError(str(exc)) from exc

    # -- counters --
    def incr(self, key: str, seconds: int, amount: int = 1) -> tuple[int, float]:
        count, ttl_ms = self.call(("EVAL", self._INCR, "1", key, str(seconds * 1000), str(amount)))
        return int(count), time.time() + max(int(ttl_ms), 0) / 1000

    def get(self, key: str) -> tuple[int, float | None]:
        value, ttl_ms = self.call(
            ("EVAL", "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}", "1", key)
        )
        if value is None or value is False:
            return 0, None
        return int(value), (time.time() + ttl_ms / 1000) if ttl_ms and ttl_ms > 0 else None

    def set(self, key: str, value: int, seconds: int) -> None:
        self.call(("SET", key, str(value), "PX", str(max(seconds, 1) * 1000)))

    def clear(self, *keys: str) -> None:
        if keys:
            self.call(("DEL", *keys))

    def reset(self, prefix: str = "") -> None:
        cursor = "0"
        while True:
            cursor, keys = self.call(
                ("SCAN", cursor, "MATCH", prefix.replace("*", r"\*") + "*", "COUNT", "500")
            )
            cursor = cursor.decode() if isinstance(cursor, bytes) else str(cursor)
            if keys:
                self.call(("DEL", *keys))
            if cursor == "0":
                break

    def purge(self) -> None:
        return None  # Redis expires keys itself


class Counters:
    """What the app uses: the configured storage, with keys under one prefix. When Redis does not answer, the
    database takes over (logged), so a Redis outage never opens the login to unlimited guessing nor breaks it."""

    def __init__(self, uri: str, prefix: str):
        self.prefix = prefix
        self.database = DatabaseCounters()
        self.redis = RedisCounters(uri) if uri.startswith("redis") else None

    def _run(self, method: str, *args):
        if self.redis is not None:
            try:
                return getattr(self.redis, method)(*args)
            except RedisError as exc:
                log.error("Redis counters unavailable (%s); using the database", exc)
        return getattr(self.database, method)(*args)

    def incr(self, key: str, seconds: int, amount: int = 1) -> tuple[int, float]:
        return self._run("incr", self.prefix + key, int(seconds), int(amount))

    def get(self, key: str) -> tuple[int, float | None]:
        return self._run("get", self.prefix + key)

    def set(self, key: str, value: int, seconds: int) -> None:
        self._run("set", self.prefix + key, int(value), int(seconds))

    def clear(self, *keys: str) -> None:
        self._run("clear", *(self.prefix + k for k in keys))

    def reset(self) -> None:
        self._run("reset", self.prefix)


def counters() -> Counters:
    return current_app.extensions["sinergi_counters"]


def init_app(app) -> None:
    """Set up the counters from ``RATELIMIT_STORAGE_URI`` (empty: the database; ``redis://…``: Redis), then point
    Flask-Limiter at them: its own setting becomes ``sinergi://`` and the chosen storage is kept in
    ``THROTTLE_STORAGE_URI``. Call before ``limiter.init_app``."""
    uri = (app.config.get("RATELIMIT_STORAGE_URI") or "").strip()
    if uri == "sinergi://":
        uri = app.config.get("THROTTLE_STORAGE_URI", "")
    elif uri.startswith("memory"):
        uri = ""  # per-worker memory is what this module exists to avoid
    app.config["THROTTLE_STORAGE_URI"] = uri
    app.config["RATELIMIT_STORAGE_URI"] = "sinergi://"
    app.extensions["sinergi_counters"] = Counters(uri, app.config.get("THROTTLE_KEY_PREFIX", "sinergi:"))


class SinergiStorage(Storage):
    """Flask-Limiter's storage, backed by the current app's counters (database or Redis)."""

    STORAGE_SCHEME = ["sinergi"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return (OSError,)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return counters().incr("limit:" + key, int(expiry), amount)[0]

    def get(self, key: str) -> int:
        return counters().get("limit:" + key)[0]

    def get_expiry(self, key: str) -> float:
        return counters().get("limit:" + key)[1] or time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        if has_app_context():  # outside one there is no app to name the storage; nothing to reset
            counters().reset()
        return None

    def clear(self, key: str) -> None:
        counters().clear("limit:" + key)


# ---- login ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    seconds: int
    reason: str  # "pair" or "account"

    @property
    def message(self) -> str:
        wait = _duration(self.seconds)
        if self.reason == "pair":
            return (
                f"Terlalu banyak percobaan masuk yang gagal untuk akun ini dari perangkat ini. Demi keamanan, "
                f"tunggu {wait} sebelum mencoba lagi. Akun lain tetap dapat masuk."
            )
        return (
            f"Akun ini sedang menerima banyak percobaan masuk yang gagal. Demi keamanan, tunggu {wait} lalu "
            f"coba lagi; kata sandi yang benar tetap diterima setelah itu."
        )


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{max(seconds, 1)} detik"
    return f"{(seconds + 59) // 60} menit"


def _limit(name: str):
    item = parse_limit(current_app.config[name])
    return item.amount, item.get_expiry()


def _keys(account: str, address: str) -> tuple[str, str, str]:
    account = account.strip().lower()[:50]
    return f"login:pair:{account}|{address}", f"login:acct:{account}", f"login:wait:{account}"


def login_refusal(account: str, address: str) -> Refusal | None:
    """Whether an attempt for ``account`` from ``address`` must wait (checked before the password)."""
    pair, _, wait = _keys(account, address)
    store = counters()
    limit, _ = _limit("LOGIN_LIMIT_PAIR")
    count, until = store.get(pair)
    now = time.time()
    if count >= limit:
        return Refusal(int((until or now) - now) + 1, "pair")
    next_allowed, _ = store.get(wait)
    if next_allowed > now:
        return Refusal(int(next_allowed - now) + 1, "account")
    return None


def login_failed(account: str, address: str) -> None:
    pair, acct, wait = _keys(account, address)
    store = counters()
    _, pair_window = _limit("LOGIN_LIMIT_PAIR")
    threshold, account_window = _limit("LOGIN_LIMIT_ACCOUNT")
    store.incr(pair, pair_window)
    failures, _ = store.incr(acct, account_window)
    if failures >= threshold:
        first = int(current_app.config["LOGIN_DELAY_FIRST"])
        delay = min(first * 2 ** min(failures - threshold, 20), int(current_app.config["LOGIN_DELAY_MAX"]))
        store.set(wait, int(time.time() + delay), delay + 5)


def login_succeeded(account: str, address: str) -> None:
    counters().clear(*_keys(account, address))
