"""Quillo's data as a small DuckDB warehouse, and the checks that grade SQL answers.

A notebook builds the warehouse from the shipped dataset files (nothing is
downloaded) and runs queries written as plain Python strings::

    from pmcourse.warehouse import warehouse, sql
    con = warehouse()
    sql("SELECT platform, COUNT(*) AS users FROM users GROUP BY platform", con)

Queries are strings, not `%%sql` cells: nbgrader grades a plain solution cell
that assigns a string, and the course needs one dependency less (no JupySQL).

A query's result is compared with the answer key as a set of rows (a multiset:
duplicates count), independent of row order and of the case of column names.
A failure says what differs (how many rows are missing, an extra row of yours,
a wrong column) without showing the key's rows.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from functools import lru_cache

import duckdb
import pandas as pd

from pmcourse.data import load

# Table name in the warehouse -> dataset name (pmcourse.load).
TABLES = {
    "users": "product_users",
    "events": "product_events",
    "experiments": "experiments",
    "assignments": "experiment_assignments",
    "guardrails": "experiment_guardrails",
    "subscriptions": "subscriptions",
    "payments": "payments",
    "marketing_spend": "marketing_spend",
    "releases": "app_releases",
}
DIGITS = 6


class QueryError(Exception):
    """DuckDB could not run a learner's query; the message carries DuckDB's and a hint."""


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain text, so SQL compares them as strings (VARCHAR, not ENUM)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("string")
    return out


def connect(**tables: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database holding each DataFrame as a table of that name."""
    con = duckdb.connect(":memory:")
    for name, frame in tables.items():
        con.register("_incoming", _plain(frame))
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _incoming')
        con.unregister("_incoming")
    return con


@lru_cache(maxsize=8)
def _loaded(name: str) -> pd.DataFrame:
    return load(name)


def dataset(name: str) -> pd.DataFrame:
    """`pmcourse.load(name)`, read once per kernel: a fresh copy each call (answer keys use it)."""
    return _loaded(name).copy()


def warehouse(tables: list[str] | tuple[str, ...] = ("users", "events")) -> duckdb.DuckDBPyConnection:
    """Quillo's warehouse: the named tables (see TABLES) loaded from the course datasets."""
    return connect(**{name: dataset(TABLES[name]) for name in tables})


HINTS = [
    ("must appear in the GROUP BY", "every selected column that is not inside an aggregate (COUNT, SUM, ...) must be listed in GROUP BY"),
    ("not found in FROM clause", "check the column and table names: DESCRIBE <table> lists a table's columns"),
    ("Referenced column", "check the column names: DESCRIBE <table> lists a table's columns"),
    ("Table with name", "check the table name: SHOW TABLES lists the tables of the warehouse"),
    ("syntax error", "look just before the place DuckDB quotes: a missing comma, an unclosed quote or bracket, a stray keyword"),
    ("Ambiguous reference", "two joined tables have a column of that name: prefix it with the table's alias (u.user_id)"),
    ("aggregate function calls cannot be nested", "compute the inner aggregate in a subquery or CTE, then aggregate its result"),
    ("WHERE clause cannot contain aggregates", "filter rows before grouping with WHERE, filter groups after grouping with HAVING"),
    ("Conversion Error", "a value has the wrong type: dates are written '2025-03-01', and CAST(x AS DATE) turns a timestamp into a date"),
]


def sql(query: str, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Run `query` on `con` and return the result as a DataFrame; a failing query raises QueryError."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError("The answer should be a query: a non-empty string such as \"SELECT ... FROM ...\".")
    try:
        return con.execute(query).df()
    except duckdb.Error as problem:
        message = str(problem)
        hint = next((h for marker, h in HINTS if marker.lower() in message.lower()), "read DuckDB's message, then run the query in pieces")
        raise QueryError(f"DuckDB could not run your query:\n{message}\nHint: {hint}.") from None


def _kind(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "time"
    return "text"


def _quoted(column: str) -> str:
    """A column name as a SQL identifier, whatever characters it holds."""
    return '"' + column.replace('"', '""') + '"'


def _normal_sql(column: str, kind: str) -> str:
    """SQL that puts one column in a comparable form: numbers rounded, times as ISO text."""
    quoted = _quoted(column)
    if kind == "number":
        return f"ROUND(TRY_CAST({quoted} AS DOUBLE), {DIGITS}) + 0.0 AS {quoted}"
    if kind == "time":
        return f"strftime(TRY_CAST({quoted} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S') AS {quoted}"
    return f"TRIM(CAST({quoted} AS VARCHAR)) AS {quoted}"


def _scratch(**frames: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for name, frame in frames.items():
        con.register(name, frame)
    return con


def _named(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    out.columns = columns
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("string")
    return out


LARGE = 2000  # rows; larger results are fingerprinted through a digest of their fixed form


def answer_form(result: pd.DataFrame, ignore_case: bool = True):
    """The result in a fixed form for self_check: column names lower-cased (when allowed) and sorted,
    numbers rounded to 6 decimals, times as ISO text, rows sorted.

    Any row order and column order give the same form. A result of more than LARGE rows is
    returned as a short text digest of that form (same rows, same digest), to keep self_check fast.
    """
    columns = [str(c).lower() if ignore_case else str(c) for c in result.columns]
    frame = _named(result, columns)
    names = sorted(columns)
    select = ", ".join(_normal_sql(c, _kind(frame[c])) for c in names)
    con = _scratch(result_rows=frame)
    if len(frame) <= LARGE:
        return con.execute(f"SELECT {select} FROM result_rows ORDER BY ALL").df()
    row_text = " || chr(31) || ".join(f"COALESCE(CAST({_quoted(c)} AS VARCHAR), '<null>')" for c in names)
    digest = con.execute(
        f"SELECT sha256(string_agg(row_text, chr(10) ORDER BY row_text)) FROM "
        f"(SELECT {row_text} AS row_text FROM (SELECT {select} FROM result_rows))"
    ).fetchone()[0]
    return f"{len(frame)} rows, sha256 {digest}"


def _column_names(frame: pd.DataFrame, ignore_case: bool) -> list[str]:
    return [str(c).lower() if ignore_case else str(c) for c in frame.columns]


def _column_problems(got_columns: list[str], want_columns: list[str]) -> list[str]:
    """What is wrong with the result's columns (repeated, missing, not asked for), or nothing."""
    if len(set(got_columns)) < len(got_columns):
        return [f"Your result repeats a column name: {got_columns}. Give each column its own name with AS."]
    missing = [c for c in want_columns if c not in got_columns]
    extra = [c for c in got_columns if c not in want_columns]
    if not missing and not extra:
        return []
    return [f"Expected the columns {want_columns}; yours are {got_columns}"
            + (f" (missing: {missing})" if missing else "") + (f" (not asked for: {extra})" if extra else "")
            + ". Name them with AS."]


def _rows_only_in(con, first: str, second: str, columns: str = "*") -> int:
    """How many rows of table `first` (duplicates counted) are not in table `second`."""
    return con.execute(
        f"SELECT COUNT(*) FROM (SELECT {columns} FROM {first} EXCEPT ALL SELECT {columns} FROM {second})"
    ).fetchone()[0]


def _wrong_columns(con, columns: list[str]) -> list[str]:
    """The columns whose values differ between the key `k` and the result `m`, each on its own."""
    return [c for c in columns if _rows_only_in(con, "k", "m", _quoted(c)) or _rows_only_in(con, "m", "k", _quoted(c))]


def differences(got: pd.DataFrame, expected: pd.DataFrame, ignore_case: bool = True, examples: int = 2) -> list[str]:
    """What differs between a query's result and the key, without showing the key's rows.

    Empty when the two hold the same columns (any order; name case ignored when
    allowed) and the same rows (any order, duplicates counted, numbers to 6 decimals).
    """
    got_columns, want_columns = _column_names(got, ignore_case), _column_names(expected, ignore_case)
    column_problems = _column_problems(got_columns, want_columns)
    if column_problems:
        return column_problems
    key = _named(expected, want_columns)
    mine = _named(got, got_columns)[want_columns]
    select = ", ".join(_normal_sql(c, _kind(key[c])) for c in want_columns)
    con = _scratch(mine_rows=mine, key_rows=key)
    con.execute(f"CREATE TABLE m AS SELECT {select} FROM mine_rows")
    con.execute(f"CREATE TABLE k AS SELECT {select} FROM key_rows")
    too_few, too_many = _rows_only_in(con, "k", "m"), _rows_only_in(con, "m", "k")
    if not too_few and not too_many:
        return []
    problems = [f"Expected {len(key)} rows; your query returns {len(mine)}."] if len(mine) != len(key) else []
    wrong = _wrong_columns(con, want_columns)  # which columns are wrong on their own points at the mistake
    if wrong and len(wrong) < len(want_columns):
        problems.append(f"The values of {wrong} differ from the key (the other columns match).")
    if too_few:
        problems.append(f"{too_few} rows of the expected result are not in yours.")
    if too_many:
        shown = con.execute(f"SELECT * FROM (SELECT * FROM m EXCEPT ALL SELECT * FROM k) ORDER BY ALL LIMIT {examples}").df()
        problems.append(f"{too_many} of your rows are not in the expected result, for example "
                        f"{shown.to_dict('records')}.")
    return problems


def check_query(query: str, expected: pd.DataFrame, con: duckdb.DuckDBPyConnection,
                ignore_case: bool = True, what: str = "") -> pd.DataFrame:
    """Run `query` on `con`, compare it with `expected`, and raise AssertionError saying what differs."""
    got = sql(query, con)
    problems = differences(got, expected, ignore_case=ignore_case)
    if problems:
        raise AssertionError((f"{what}: " if what else "") + " ".join(problems))
    return got
