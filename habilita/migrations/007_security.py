"""Peewee migrations -- 007_security.py.

Each user's session token (``User.session_token``): every console session
carries it, and a new one (at logout, with a new password) ends them all.
Existing users get a random token each, so no two share one; sessions signed
in before this migration carried the password hash instead and end with it.
"""

import secrets

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    # The database default keeps code from before this migration able to add users (a rolling deploy).
    migrator.add_fields('user', session_token=pw.CharField(max_length=64, default='',
                                                           constraints=[pw.SQL("DEFAULT ''")]))
    migrator.run(_give_each_user_a_token, database)


def _give_each_user_a_token(database: pw.Database) -> None:
    users = pw.Table("user", ("id", "session_token")).bind(database)
    for user_id in [row["id"] for row in users.select(users.id)]:
        users.update(session_token=secrets.token_hex(16)).where(users.id == user_id).execute()


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_fields('user', 'session_token')
