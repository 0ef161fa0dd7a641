"""Migration 007 gives every existing user a session token of their own."""
import peewee

from habilita.models.database import migration_router

SECURITY_MIGRATION = "007_security"


def test_existing_users_each_get_their_own_session_token(tmp_path):
    database = peewee.SqliteDatabase(str(tmp_path / "before.db"))
    router = migration_router(database)
    router.run([name for name in router.todo if name < SECURITY_MIGRATION][-1])
    for email in ("ana@example.co", "luis@example.co"):
        database.execute_sql('INSERT INTO "user" (email, name, password_hash, roles, active, must_change_password, '
                             'failed_logins, created_at) VALUES (?, \'\', \'x\', \'onboarding\', 1, 0, 0, '
                             '\'2026-01-01 00:00:00\')', (email,))

    assert SECURITY_MIGRATION in migration_router(database).run()

    tokens = [row[0] for row in database.execute_sql('SELECT session_token FROM "user"')]
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(token) == 32 for token in tokens)
    database.close()
