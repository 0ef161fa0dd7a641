"""SQLite writers of one process take turns at a lock that mirrors SQLite's own write lock."""
from __future__ import annotations

import threading
import time

import peewee
import pytest

from habilita.models.base import SQLITE_PRAGMAS
from habilita.models.sqlite_writes import OneWriterSqliteDatabase, write_lock_for


@pytest.fixture()
def db(tmp_path):
    database = OneWriterSqliteDatabase(str(tmp_path / "writes.db"), pragmas=SQLITE_PRAGMAS, lock_wait=0.5)

    class Row(peewee.Model):
        key = peewee.CharField(unique=True)
        text = peewee.TextField(default="")

        class Meta:
            database = None

    Row._meta.set_database(database)
    database.create_tables([Row])
    database.Row = Row
    yield database
    database.close()


def lock_is_free(db) -> bool:
    lock = write_lock_for(db.database)
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_many_writers_at_once_all_land_and_leave_the_lock_free(db):
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                with db.atomic():
                    db.Row.create(key=f"{n}-{i}")
                    db.Row.update(text="seen").where(db.Row.key == f"{n}-{i}").execute()
                db.Row.create(key=f"{n}-{i}-alone")  # a write outside any transaction
        except peewee.PeeweeException as error:  # the test reports it below
            errors.append(error)
        finally:
            db.close()

    threads = [in_thread(lambda n=n: writer(n)) for n in range(12)]
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert db.Row.select().count() == 12 * 25 * 2
    assert db.Row.select().where(db.Row.text == "seen").count() == 12 * 25
    assert lock_is_free(db)


def test_a_transaction_holds_the_lock_from_its_first_write_until_it_ends(db):
    with db.atomic():
        db.Row.select().count()
        assert lock_is_free(db)  # reading takes nothing
        db.Row.create(key="a")
        assert not lock_is_free(db)
    assert lock_is_free(db)
    with db.atomic("IMMEDIATE"):
        assert not lock_is_free(db)  # BEGIN IMMEDIATE takes SQLite's write lock at once: so does ours
    assert lock_is_free(db)


def test_a_rolled_back_transaction_and_a_failed_write_give_the_lock_back(db):
    db.Row.create(key="taken")
    with pytest.raises(RuntimeError), db.atomic():
        db.Row.create(key="b")
        raise RuntimeError("the step failed")
    assert lock_is_free(db) and not db.Row.select().where(db.Row.key == "b").exists()
    with pytest.raises(peewee.IntegrityError):
        db.Row.create(key="taken")
    assert lock_is_free(db)


@pytest.mark.timed
def test_reads_go_on_while_another_thread_writes(db):
    db.Row.create(key="before")
    holding, release = threading.Event(), threading.Event()

    def long_writer() -> None:
        with db.atomic():
            db.Row.create(key="during")
            holding.set()
            release.wait(10)
        db.close()

    writer = in_thread(long_writer)
    assert holding.wait(5)
    began = time.monotonic()
    seen = [row.key for row in db.Row.select()]
    assert seen == ["before"] and time.monotonic() - began < 0.5
    release.set()
    writer.join(5)


def test_a_writer_that_cannot_have_the_lock_goes_on_to_sqlite_instead_of_hanging(db):
    lock = write_lock_for(db.database)
    lock.acquire()  # held by someone in this process that is not writing (the case the fallback is for)
    try:
        done = threading.Event()

        def writer() -> None:
            db.Row.create(key="late")
            db.close()
            done.set()

        in_thread(writer)
        assert done.wait(5), "the writer waited for the lock forever"
    finally:
        lock.release()
    assert db.Row.select().where(db.Row.key == "late").exists()
    assert lock_is_free(db)
