"""How long an account waits after failed logins: from the fifth failure in a row, doubling, at most an hour."""
import datetime as dt

from habilita.models import LoginFailure
from habilita.models.access import account_lock


def test_the_wait_starts_at_the_fifth_failure_doubles_and_stops_growing_at_an_hour():
    minutes = [account_lock(failures) / dt.timedelta(minutes=1) for failures in range(1, 13)]
    assert minutes == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert account_lock(10_000) == dt.timedelta(hours=1)


def test_failures_older_than_a_day_are_forgotten_and_deleted(db):
    for _ in range(5):
        LoginFailure.note("ana@example.co", "198.51.100.7")
    assert LoginFailure.account_wait("ANA@example.co ") is not None
    LoginFailure.update(at=dt.datetime(2020, 1, 1)).execute()
    assert LoginFailure.account_wait("ana@example.co") is None
    LoginFailure.note("luis@example.co", "198.51.100.7")
    assert [f.login for f in LoginFailure.select()] == ["luis@example.co"]
