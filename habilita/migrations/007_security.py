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
    user_ids = [row[0] for row in database.execute_sql('SELECT id FROM "user"')]
    for user_id in user_ids:
        database.execute_sql(f'UPDATE "user" SET session_token = {database.param} WHERE id = {database.param}',
                             (secrets.token_hex(16), user_id))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_fields('user', 'session_token')
