"""SQLite writers of one process take turns at a lock instead of at SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the file
locked sleeps in SQLite's busy handler and looks again after 1, 2, 5, 10, 15,
20, 25, 25, 25, 50, 50 and then every 100 ms, however soon the writer
before it finished. The worker runs its activities on a pool of threads, each
with its own connection: under load a write of a millisecond waited 150 ms
on average, most of it asleep while nobody wrote (``bench/enablement.py``).

:class:`OneWriterSqliteDatabase` makes the threads of one process queue for
the write lock on a ``threading.Lock`` first, which wakes the next writer as
soon as the last one commits. The lock mirrors SQLite's own: a thread takes
it when its connection would take SQLite's write lock (a ``BEGIN
IMMEDIATE``/``EXCLUSIVE``, or its first write, in a transaction or on its
own) and gives it back when that transaction ends. Reads never take it.

It is an aid to scheduling, never needed for correctness: a thread that
cannot have the lock within ``LOCK_WAIT`` seconds (``lock_wait``) goes on without it, and
SQLite's busy handler decides as before. So a writer that, holding the lock,
waited on another thread of the same process that wants to write (a console
request waiting, inside its transaction, for a workflow whose projection
writes) would slow that other thread down, not hang it. Other processes
(the console, the CLI, a second worker) wait on SQLite as they always did.
"""
from __future__ import annotations

import os
import re
import threading

import peewee

LOCK_WAIT = 2.0  # seconds a writer queues in-process before it falls back to SQLite's busy handler
WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
TAKES_WRITE_LOCK = {"IMMEDIATE", "EXCLUSIVE"}

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def write_lock_for(database: str) -> threading.Lock:
    """The one lock of every connection of this process to the file ``database`` (however it is named)."""
    key = database if database.startswith((":memory:", "file:")) else os.path.realpath(database)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


class OneWriterSqliteDatabase(peewee.SqliteDatabase):
    """A ``SqliteDatabase`` whose writers in this process take turns at a ``threading.Lock``."""

    def __init__(self, database, *args, lock_wait: float = LOCK_WAIT, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._write_lock = write_lock_for(database)
        self._lock_wait = lock_wait
        self._holder = threading.local()

    def _holds(self) -> bool:
        return getattr(self._holder, "holds", False)

    def _take(self) -> None:
        """Queue for the lock, or go on without it after ``lock_wait`` seconds (SQLite still decides)."""
        if not self._holds():
            self._holder.holds = self._write_lock.acquire(timeout=self._lock_wait)

    def _give_back(self) -> None:
        if self._holds():
            self._holder.holds = False
            self._write_lock.release()

    def begin(self, lock_type=None):
        if (lock_type or self._lock_type or "").upper() in TAKES_WRITE_LOCK:
            self._take()
        try:
            return super().begin(lock_type)
        except BaseException:
            self._give_back()
            raise

    def commit(self):
        result = super().commit()  # a failed COMMIT leaves the transaction open: the rollback gives it back
        self._give_back()
        return result

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self._give_back()

    def execute_sql(self, sql, params=None):
        if not WRITES.match(sql):
            return super().execute_sql(sql, params)
        self._take()
        try:
            return super().execute_sql(sql, params)
        finally:
            if not self.in_transaction():  # in one, kept until it commits or rolls back, as SQLite keeps its lock
                self._give_back()
