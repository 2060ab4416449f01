"""Where generated rows go: bulk Core inserts (any dialect), COPY (PostgreSQL), or memory (tests).

The generator hands each table's rows over as tuples in a fixed column order, table by table in
foreign-key order, so every writer can stream them in batches without holding the data set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

BATCH = 5_000


class MemoryWriter:
    """Keeps every row; used to prove the generator is deterministic without a database."""

    def __init__(self) -> None:
        self.tables: dict[str, list[tuple]] = {}
        self.columns: dict[str, tuple[str, ...]] = {}

    def next_id(self, table: str) -> int:
        return len(self.tables.get(table, ())) + 1

    def user_ids(self, emails: Sequence[str]) -> dict[str, int]:
        return {}

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        self.columns[table] = tuple(columns)
        bucket = self.tables.setdefault(table, [])
        before = len(bucket)
        bucket.extend(rows)
        return len(bucket) - before

    def finish(self) -> None:
        pass


class CoreWriter:
    """executemany through SQLAlchemy Core in batches: fast on SQLite, portable everywhere."""

    def __init__(self, conn: Connection, batch: int = BATCH) -> None:
        import services.crm.models  # noqa: F401  (every table on the metadata)

        self.conn = conn
        self.batch = batch
        self.metadata = SQLModel.metadata
        self.written: set[str] = set()

    def next_id(self, table: str) -> int:
        t = self.metadata.tables[table]
        return int(self.conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()) + 1

    def user_ids(self, emails: Sequence[str]) -> dict[str, int]:
        t = self.metadata.tables["app_user"]
        rows = self.conn.execute(select(t.c.email, t.c.id).where(func.lower(t.c.email).in_(list(emails)))).all()
        return {email.lower(): uid for email, uid in rows}

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        self.written.add(table)
        t = self.metadata.tables[table]
        stmt = t.insert()
        total = 0
        it = iter(rows)
        while chunk := list(islice(it, self.batch)):
            self.conn.execute(stmt, [dict(zip(columns, row)) for row in chunk])
            total += len(chunk)
        return total

    def finish(self) -> None:
        if self.conn.dialect.name != "postgresql":
            return
        # Ids were given explicitly; the sequences must continue after them.
        for table in sorted(self.written):
            if "id" not in self.metadata.tables[table].c:
                continue
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}), (SELECT COUNT(*) > 0 FROM {table}))"
                )
            )
        self.conn.execute(text("ANALYZE"))


class CopyWriter(CoreWriter):
    """PostgreSQL COPY FROM STDIN through psycopg: the large data set loads in seconds, not minutes."""

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        from psycopg import sql

        self.written.add(table)
        json_cols = {i for i, c in enumerate(columns) if self.metadata.tables[table].c[c].type.__class__.__name__ == "JSON"}
        raw = self.conn.connection.driver_connection
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        total = 0
        with raw.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                if json_cols:
                    row = tuple(json.dumps(v, ensure_ascii=False) if i in json_cols else v for i, v in enumerate(row))
                copy.write_row(row)
                total += 1
        return total


def writer_for(conn: Connection):
    return CopyWriter(conn) if conn.dialect.name == "postgresql" else CoreWriter(conn)
