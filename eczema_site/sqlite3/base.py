"""Django's SQLite backend, except that `flush` empties tables without firing their triggers.

The triggers that keep a completed consultation from being deleted (decision migration 0012)
would make `flush` fail, and with it every test that runs on committed data (the browser tests,
the race tests). PostgreSQL's flush is TRUNCATE, which fires no row trigger; here the triggers
are dropped, the tables emptied and the triggers created again, in one transaction.
"""

from __future__ import annotations

from django.db.backends.sqlite3 import base


class DatabaseOperations(base.DatabaseOperations):
    def execute_sql_flush(self, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
        drop = [f'DROP TRIGGER "{name}"' for name, _ in triggers]
        create = [sql for _, sql in triggers]
        super().execute_sql_flush([*drop, *sql_list, *create])


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
