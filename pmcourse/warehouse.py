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


def _cell(value):
    """One value in a comparable form: numbers rounded, missing values as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, (pd.Timestamp, str)):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        return None if math.isnan(number) else round(number, DIGITS) + 0.0
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return pd.Timestamp(value).isoformat()
    return str(value).strip()


def answer_form(result: pd.DataFrame, ignore_case: bool = True) -> pd.DataFrame:
    """The result in a fixed form: column names lower-cased (when allowed) and sorted, rows sorted.

    Used by self_check, so that any row order and column order give the same fingerprint.
    """
    frame = result.copy()
    if ignore_case:
        frame.columns = [str(c).lower() for c in frame.columns]
    frame = frame[sorted(frame.columns, key=str)]
    rows = sorted((tuple(_cell(v) for v in row) for row in frame.itertuples(index=False)), key=repr)
    return pd.DataFrame(rows, columns=frame.columns)


def differences(got: pd.DataFrame, expected: pd.DataFrame, ignore_case: bool = True, examples: int = 2) -> list[str]:
    """What differs between a query's result and the key, without showing the key's rows.

    Empty when the two hold the same columns (any order; name case ignored when
    allowed) and the same rows (any order, duplicates counted, numbers to 6 decimals).
    """
    got_columns = [str(c).lower() if ignore_case else str(c) for c in got.columns]
    want_columns = [str(c).lower() if ignore_case else str(c) for c in expected.columns]
    if len(set(got_columns)) < len(got_columns):
        return [f"Your result repeats a column name: {got_columns}. Give each column its own name with AS."]
    missing = [c for c in want_columns if c not in got_columns]
    extra = [c for c in got_columns if c not in want_columns]
    if missing or extra:
        return [f"Expected the columns {want_columns}; yours are {got_columns}"
                + (f" (missing: {missing})" if missing else "") + (f" (not asked for: {extra})" if extra else "")
                + ". Name them with AS."]
    got = got.set_axis(got_columns, axis=1)[want_columns]
    want = expected.set_axis(want_columns, axis=1)
    problems = []
    if len(got) != len(want):
        problems.append(f"Expected {len(want)} rows; your query returns {len(got)}.")
    got_rows = Counter(tuple(_cell(v) for v in row) for row in got.itertuples(index=False))
    want_rows = Counter(tuple(_cell(v) for v in row) for row in want.itertuples(index=False))
    too_many = got_rows - want_rows
    too_few = want_rows - got_rows
    if too_many or too_few:
        # Which columns are right on their own? Points at the wrong one.
        wrong = [c for i, c in enumerate(want_columns)
                 if Counter(r[i] for r in got_rows.elements()) != Counter(r[i] for r in want_rows.elements())]
        if wrong:
            problems.append(f"The values of {wrong} differ from the key (the other columns match).")
        if too_few:
            problems.append(f"{sum(too_few.values())} rows of the expected result are not in yours.")
        if too_many:
            shown = [dict(zip(want_columns, row)) for row in list(too_many)[:examples]]
            problems.append(f"{sum(too_many.values())} of your rows are not in the expected result, for example {shown}.")
    return problems


def check_query(query: str, expected: pd.DataFrame, con: duckdb.DuckDBPyConnection,
                ignore_case: bool = True, what: str = "") -> pd.DataFrame:
    """Run `query` on `con`, compare it with `expected`, and raise AssertionError saying what differs."""
    got = sql(query, con)
    problems = differences(got, expected, ignore_case=ignore_case)
    if problems:
        raise AssertionError((f"{what}: " if what else "") + " ".join(problems))
    return got
