"""Finding a piece of a name or a number anywhere in it, fast at 100,000 rows, on both databases.

- ``fold(text)``: the spelling-folded form of a name that a search compares (Syamsul = Samsul, Nurhayati =
  Nur Hayati, Yusuf = Yusup, Achmad = Ahmad): lower case, letters and digits only, no spaces, old and variant
  spellings mapped to one. A model stores the folded name in a column of its own (``fold`` on every write).
- ``TextIndex(table, columns)``: the trigram index over those columns. SQLite: an FTS5 table with the trigram
  tokenizer holding the columns of the table (external content, kept in sync by triggers on insert, update and
  delete). PostgreSQL: a GIN ``pg_trgm`` index per column, led by the ``scope`` column when one is given (a
  regency: ``btree_gin``), so a search within one regency reads that regency's matches only and the planner
  always takes the index (without it, a common piece could be found by scanning the whole regency instead,
  three times slower). ``install(table)`` creates it with the table
  (``db.create_all``); a migration calls ``create(bind)``. ``contains`` / ``ends_with`` give the condition
  for a query, which the index serves (at least ``MIN_CHARS`` characters; shorter text gives None).
- ``include_object``: what Alembic must not compare (the FTS tables, the trigram indexes).

The folding is for Indonesian / Minang names in general (SIDILAN persons, Rujukan patients); a module keeps its
own rules on top (e.g. SIDILAN's duplicate key, ``sidilan/names.py``).
"""

import re
from dataclasses import dataclass

from sqlalchemy import and_, event, literal, literal_column, select, table, text

MIN_CHARS = 3  # a trigram index needs three characters

# Old (pre-1972) and common variant spellings, applied in this order (docs/sidilan.md §13.4, §13.6).
_SPELLING = [
    ("dj", "j"),
    ("tj", "c"),
    ("sj", "s"),
    ("oe", "u"),
    ("sy", "s"),
    ("ch", "h"),
    ("kh", "h"),
    ("dh", "d"),
    ("th", "t"),
    ("ph", "p"),
    ("f", "p"),
    ("v", "p"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "s"),
    ("y", "i"),
]
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_SILENT_H = re.compile(r"h(?=[^aiueo]|$)")  # Rahmad / Ramad, Fatimah / Fatima, Ahmad / Amad
_DOUBLED = re.compile(r"(.)\1+")  # Yusuff / Yusuf, Nurjannah / Nurjanah


def fold(value: str | None) -> str:
    """'Syamsul Bahri' and 'Samsul Bahri' -> 'samsulbari'; 'Nur Hayati' and 'Nurhayati' -> 'nurhaiati'."""
    out = _NOT_ALNUM.sub("", (value or "").lower())
    for a, b in _SPELLING:
        out = out.replace(a, b)
    out = _SILENT_H.sub("", out)
    return _DOUBLED.sub(r"\1", out)


@dataclass(frozen=True)
class TextIndex:
    table: str
    columns: tuple[str, ...]
    key: str = "id"
    scope: str | None = None  # PostgreSQL: the column every search also filters on (the regency)

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    def _pg_index(self, column: str) -> str:
        return f"ix_trgm_{self.table}_{column}"

    def _ddl(self, dialect: str) -> list[str]:
        cols = ", ".join(self.columns)
        new = ", ".join(f"new.{c}" for c in self.columns)
        old = ", ".join(f"old.{c}" for c in self.columns)
        t, f = self.table, self.fts
        if dialect == "sqlite":
            delete = f"INSERT INTO {f}({f}, rowid, {cols}) VALUES ('delete', old.{self.key}, {old});"
            insert = f"INSERT INTO {f}(rowid, {cols}) VALUES (new.{self.key}, {new});"
            return [
                f"CREATE VIRTUAL TABLE {f} USING fts5({cols}, content='{t}', content_rowid='{self.key}', "
                "tokenize='trigram')",
                f"CREATE TRIGGER {f}_ai AFTER INSERT ON {t} BEGIN {insert} END",
                f"CREATE TRIGGER {f}_ad AFTER DELETE ON {t} BEGIN {delete} END",
                f"CREATE TRIGGER {f}_au AFTER UPDATE OF {cols} ON {t} BEGIN {delete} {insert} END",
                f"INSERT INTO {f}({f}) VALUES ('rebuild')",  # rows already in the table
            ]
        if dialect == "postgresql":
            lead = f"{self.scope}, " if self.scope else ""
            extensions = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
            if self.scope:
                extensions.append(
                    "CREATE EXTENSION IF NOT EXISTS btree_gin"
                )  # an integer column in a GIN index
            return extensions + [
                f"CREATE INDEX {self._pg_index(c)} ON {t} USING gin ({lead}{c} gin_trgm_ops)"
                for c in self.columns
            ]
        return []

    def create(self, bind) -> None:
        """Create the index (and fill it from the rows already there): for a migration."""
        for statement in self._ddl(bind.dialect.name):
            bind.execute(text(statement))

    def drop(self, bind) -> None:
        if bind.dialect.name == "sqlite":
            for suffix in ("_ai", "_ad", "_au"):
                bind.execute(text(f"DROP TRIGGER IF EXISTS {self.fts}{suffix}"))
            bind.execute(text(f"DROP TABLE IF EXISTS {self.fts}"))
        elif bind.dialect.name == "postgresql":
            for c in self.columns:
                bind.execute(text(f"DROP INDEX IF EXISTS {self._pg_index(c)}"))

    def install(self, sa_table) -> None:
        """Create the index whenever ``db.create_all`` creates the table (tests, a fresh database), and drop
        the FTS table before ``drop_all`` drops the table."""

        @event.listens_for(sa_table, "after_create")
        def _create(target, connection, **kw):
            self.create(connection)

        @event.listens_for(sa_table, "before_drop")
        def _drop(target, connection, **kw):
            self.drop(connection)

    def owns(self, name: str) -> bool:
        """Whether a reflected table or index name is part of this index (Alembic leaves those alone)."""
        return (
            name == self.fts or name.startswith(self.fts + "_") or name.startswith(f"ix_trgm_{self.table}_")
        )

    def _hits(self, model, column: str, folded: str, bind):
        """SQLite: the rows whose ``column`` holds ``folded`` as a phrase of trigrams, which is a substring
        match answered from the FTS index alone (a LIKE there would read every candidate row back)."""
        fts = table(self.fts, literal_column("rowid"))
        hits = (
            select(literal_column("rowid"))
            .select_from(fts)
            .where(literal_column(self.fts).op("MATCH")(literal(f'{column} : "{folded}"')))
        )
        return getattr(model, self.key).in_(hits)

    def contains(self, model, column: str, folded: str, bind):
        """Rows whose ``column`` holds ``folded`` anywhere (already folded / digits: no LIKE wildcards)."""
        if len(folded) < MIN_CHARS or not folded.isalnum():
            return None
        if bind.dialect.name == "sqlite":
            return self._hits(model, column, folded, bind)
        return getattr(model, column).like(f"%{folded}%")

    def contains_text(self, model, column: str, value: str, bind):
        """Rows whose ``column`` holds ``value`` anywhere, ignoring case, for text as typed (any character, e.g.
        a letter number '0012/RJK'): a quoted FTS phrase on SQLite (its trigrams ignore case), ILIKE with the
        wildcards escaped on PostgreSQL (which the trigram index serves). None under ``MIN_CHARS``."""
        value = value.strip()
        if len(value) < MIN_CHARS:
            return None
        if bind.dialect.name == "sqlite":
            return self._hits(model, column, value.replace('"', '""'), bind)
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return getattr(model, column).ilike(f"%{escaped}%", escape="\\")

    def ends_with(self, model, column: str, folded: str, bind):
        """Rows whose ``column`` ends with ``folded``: the index finds the rows holding it, the row checks the end."""
        if len(folded) < MIN_CHARS or not folded.isalnum():
            return None
        ends = getattr(model, column).like(f"%{folded}")
        if bind.dialect.name == "sqlite":
            return and_(self._hits(model, column, folded, bind), ends)
        return ends


_INDEXES: list[TextIndex] = []


def register(index: TextIndex, sa_table) -> TextIndex:
    """Declare a text index of a model's table: created with the table, skipped by Alembic's comparison."""
    index.install(sa_table)
    _INDEXES.append(index)
    return index


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: the FTS tables and trigram indexes are made by ``TextIndex``, not models."""
    return not (name and type_ in ("table", "index") and any(ix.owns(name) for ix in _INDEXES))
