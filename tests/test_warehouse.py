"""pmcourse.warehouse: the DuckDB helper behind module m06's SQL exercises.

Fast unit tests: tiny frames built here, no notebooks, no kernels. Only the
`warehouse()` tests read the real datasets, once for the whole file.
"""

import numpy as np
import pandas as pd
import pytest

import pmcourse
from pmcourse import data
from pmcourse import warehouse as wh
from pmcourse.warehouse import LARGE, QueryError, answer_form, check_query, connect, differences, sql


@pytest.fixture(autouse=True)
def no_dataset_override(monkeypatch):
    monkeypatch.delenv(data.DATASETS_ENV_VAR, raising=False)


KEY = pd.DataFrame({"platform": ["android", "ios", "web"], "users": [2, 3, 1]})


@pytest.fixture(scope="module")
def con():
    """A tiny warehouse; no test changes it."""
    users = pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u3", "u4", "u5", "u6"],
            "platform": pd.Categorical(["ios", "ios", "ios", "android", "android", "web"]),
            "signup_at": pd.to_datetime(["2025-03-01 09:00:00"] * 6),
        }
    )
    events = pd.DataFrame({"user_id": ["u1", "u1", "u4"], "event_name": ["open", "share", "open"]})
    return connect(users=users, events=events)


# --- connect and sql -------------------------------------------------------------


def test_connect_makes_each_frame_a_queryable_table(con):
    assert sorted(r[0] for r in con.execute("SHOW TABLES").fetchall()) == ["events", "users"]
    got = sql("SELECT platform, COUNT(*) AS users FROM users GROUP BY platform ORDER BY platform", con)
    assert got.to_dict("list") == {"platform": ["android", "ios", "web"], "users": [2, 3, 1]}
    joined = sql("SELECT COUNT(*) AS n FROM events e JOIN users u USING (user_id) WHERE u.platform = 'ios'", con)
    assert joined["n"].tolist() == [2]


def test_connect_stores_categoricals_as_plain_text_not_enum(con):
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE users)").fetchall())
    assert types["platform"] == "VARCHAR"
    # a text comparison with a value that is not one of the categories works (an ENUM would refuse it)
    assert sql("SELECT COUNT(*) AS n FROM users WHERE platform < 'j'", con)["n"].tolist() == [5]


def test_connect_copies_the_frames_so_later_changes_do_not_leak_in():
    frame = pd.DataFrame({"a": [1, 2]})
    con = connect(t=frame)
    frame.loc[0, "a"] = 99
    assert sql("SELECT SUM(a) AS s FROM t", con)["s"].tolist() == [3]
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["t"]  # the staging view is gone


BROKEN = {
    "group by": ("SELECT platform, user_id, COUNT(*) FROM users GROUP BY platform",
                 "must appear in the GROUP BY", "must be listed in GROUP BY"),
    "unknown column": ("SELECT plattform FROM users", "plattform", "check the column and table names"),
    "unknown table": ("SELECT * FROM user_table", "user_table", "SHOW TABLES lists the tables"),
    "syntax": ("SELEC platform FROM users", "syntax error", "a missing comma, an unclosed quote"),
    "aggregate in where": ("SELECT platform FROM users WHERE COUNT(*) > 1 GROUP BY platform",
                           "WHERE clause cannot contain aggregates", "filter groups after grouping with HAVING"),
    "nested aggregate": ("SELECT SUM(COUNT(*)) FROM users", "cannot be nested", "compute the inner aggregate"),
    "ambiguous": ("SELECT user_id FROM users u JOIN events e ON u.user_id = e.user_id",
                  "Ambiguous reference", "prefix it with the table's alias"),
    "conversion": ("SELECT CAST(user_id AS INTEGER) FROM users", "Conversion Error", "CAST(x AS DATE)"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_query_raises_query_error_with_duckdbs_message_and_the_matching_hint(con, case):
    query, duckdb_says, hint = BROKEN[case]
    with pytest.raises(QueryError) as caught:
        sql(query, con)
    message = str(caught.value)
    assert message.startswith("DuckDB could not run your query:\n")
    assert duckdb_says in message  # DuckDB's own words, not paraphrased
    assert "LINE 1:" in message  # including where it points
    hint_line = message.rsplit("\nHint: ", 1)[1]
    assert hint in hint_line
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no duckdb traceback chained


def test_an_error_no_hint_knows_gets_the_generic_hint(con):
    with pytest.raises(QueryError, match=r"Hint: read DuckDB's message, then run the query in pieces\.$"):
        sql("SELECT 1 / 0 AS x, error('boom')", con)


@pytest.mark.parametrize("query", ["", "   \n", None, 42])
def test_an_empty_or_non_string_answer_is_a_query_error(con, query):
    with pytest.raises(QueryError, match="non-empty string"):
        sql(query, con)


def test_sql_returns_a_dataframe(con):
    got = sql("SELECT 1 AS one", con)
    assert isinstance(got, pd.DataFrame) and got["one"].tolist() == [1]


# --- differences and check_query ------------------------------------------------------


def test_row_order_column_order_and_column_name_case_are_ignored():
    got = pd.DataFrame({"USERS": [1, 3, 2], "Platform": ["web", "ios", "android"]})
    assert differences(got, KEY) == []


def test_column_name_case_counts_when_not_ignored():
    got = KEY.rename(columns={"users": "Users"})
    problems = differences(got, KEY, ignore_case=False)
    assert len(problems) == 1
    assert "(missing: ['users'])" in problems[0] and "(not asked for: ['Users'])" in problems[0]


def test_missing_and_extra_columns_are_named():
    problems = differences(pd.DataFrame({"platform": ["ios"], "n": [3]}), KEY)
    assert problems == ["Expected the columns ['platform', 'users']; yours are ['platform', 'n']"
                        " (missing: ['users']) (not asked for: ['n']). Name them with AS."]


def test_a_repeated_column_name_is_reported():
    got = pd.DataFrame([["ios", 3, 3]], columns=["platform", "users", "USERS"])
    assert "repeats a column name" in differences(got, KEY)[0]


def test_duplicate_rows_count():
    twice = pd.concat([KEY, KEY.iloc[[0]]], ignore_index=True)
    problems = differences(twice, KEY)
    assert problems[0] == "Expected 3 rows; your query returns 4."
    assert any(p.startswith("1 of your rows are not in the expected result") for p in problems)
    # and the other way round: a key row that appears twice must be returned twice
    assert differences(KEY, twice)[0] == "Expected 4 rows; your query returns 3."
    assert "1 rows of the expected result are not in yours." in differences(KEY, twice)


def test_same_row_count_but_a_duplicated_row_instead_of_another_is_a_difference():
    got = KEY.iloc[[0, 0, 1]].reset_index(drop=True)  # android twice, web missing
    problems = differences(got, KEY)
    assert "1 rows of the expected result are not in yours." in problems
    assert not any(p.startswith("Expected 3 rows") for p in problems)


def test_ints_and_floats_are_equal_and_numbers_compare_to_six_decimals():
    key = pd.DataFrame({"rate": [1 / 3, 2.0, 0.0]})
    assert differences(pd.DataFrame({"rate": [0.333333, 2, 0]}), key) == []
    assert differences(pd.DataFrame({"rate": [0.3333334, 2.0000004, -0.0000004]}), key) == []
    assert differences(pd.DataFrame({"rate": [0.33334, 2.0, 0.0]}), key) != []  # 5th decimal differs
    assert differences(pd.DataFrame({"rate": [0.333332, 2.0, 0.0]}), key) != []  # 6th decimal differs


def test_nulls_match_nulls_and_nan():
    key = pd.DataFrame({"x": [1.0, np.nan], "s": ["a", None]})
    assert differences(pd.DataFrame({"x": [None, 1], "s": [None, "a"]}), key) == []
    assert differences(pd.DataFrame({"x": [0.0, 1.0], "s": [None, "a"]}), key) != []


def test_times_compare_as_iso_text():
    key = pd.DataFrame({"first_seen": pd.to_datetime(["2025-03-01 10:00:00", "2025-03-02 00:00:00"])})
    assert differences(pd.DataFrame({"first_seen": ["2025-03-02T00:00:00", "2025-03-01 10:00:00"]}), key) == []
    assert differences(pd.DataFrame({"first_seen": pd.to_datetime(["2025-03-01 10:00:01", "2025-03-02 00:00:00"])}), key) != []


def test_missing_rows_are_counted_but_not_shown():
    key = pd.DataFrame({"platform": ["android", "ios", "secret-one", "secret-two"], "users": [2, 3, 7, 8]})
    problems = differences(KEY.iloc[[0, 1]], key)
    assert problems == ["Expected 4 rows; your query returns 2.", "2 rows of the expected result are not in yours."]
    text = " ".join(problems)
    assert "secret" not in text and "7" not in text and "8" not in text


def test_at_most_two_extra_rows_are_shown_and_the_keys_rows_never():
    got = pd.DataFrame({"platform": ["a", "b", "c", "d", "ios"], "users": [11, 12, 13, 14, 3]})
    problems = differences(got, KEY)
    extra = next(p for p in problems if "of your rows are not in the expected result" in p)
    assert extra.startswith("4 of your rows")
    assert "'a'" in extra and "'b'" in extra
    assert "'c'" not in extra and "'d'" not in extra
    assert "android" not in " ".join(problems) and "web" not in " ".join(problems)
    assert "'c'" in " ".join(differences(got, KEY, examples=3))


def test_a_wrong_column_is_named_when_the_others_match():
    got = KEY.assign(users=[20, 30, 10])
    problems = differences(got, KEY)
    assert "The values of ['users'] differ from the key (the other columns match)." in problems
    assert not any(p.startswith("Expected 3 rows") for p in problems)


def test_no_column_is_blamed_when_every_column_differs():
    got = pd.DataFrame({"platform": ["x", "y", "z"], "users": [7, 8, 9]})
    assert not any("differ from the key" in p for p in differences(got, KEY))


def test_check_query_accepts_an_equal_result_in_any_order_and_returns_it(con):
    got = check_query("SELECT COUNT(*) AS USERS, platform FROM users GROUP BY ALL ORDER BY users", KEY, con)
    assert sorted(got["platform"]) == ["android", "ios", "web"]


def test_check_query_rejects_a_result_with_a_row_twice(con):
    query = "SELECT platform, COUNT(*) AS users FROM users GROUP BY platform UNION ALL SELECT 'web', 1"
    with pytest.raises(AssertionError, match=r"^Q3: Expected 3 rows; your query returns 4\. 1 of your rows"):
        check_query(query, KEY, con, what="Q3")


def test_check_query_names_the_wrong_column(con):
    query = "SELECT platform, COUNT(*) + 1 AS users FROM users GROUP BY platform"
    with pytest.raises(AssertionError, match=r"The values of \['users'\] differ"):
        check_query(query, KEY, con)


def test_check_query_passes_a_broken_query_on_as_query_error(con):
    with pytest.raises(QueryError, match="Hint: check the table name"):
        check_query("SELECT * FROM nowhere", KEY, con)


def test_a_column_name_with_a_double_quote_is_compared_not_crashed_on():
    key = pd.DataFrame({'say "hi"': [1, 2], "n": [1, 1]})
    assert differences(key.iloc[::-1], key) == []
    assert "The values of ['say \"hi\"'] differ" in differences(key.assign(**{'say "hi"': [1, 3]}), key)[0]


# --- answer_form -------------------------------------------------------------------------


def test_answer_form_is_the_same_for_any_row_order_column_order_case_and_int_or_float():
    a = answer_form(KEY)
    b = answer_form(pd.DataFrame({"USERS": [1.0, 3.0, 2.0], "Platform": ["web", "ios", "android"]}))
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["platform", "users"]
    assert a["platform"].tolist() == ["android", "ios", "web"]


def test_answer_form_differs_for_different_results():
    assert not answer_form(KEY).equals(answer_form(KEY.assign(users=[2, 3, 2])))
    assert not answer_form(KEY).equals(answer_form(pd.concat([KEY, KEY.iloc[[0]]])))


def test_answer_form_rounds_to_six_decimals_and_writes_times_as_iso():
    form = answer_form(pd.DataFrame({"t": pd.to_datetime(["2025-03-01 10:00:00"]), "x": [1 / 3]}))
    assert form.to_dict("records") == [{"t": "2025-03-01T10:00:00", "x": 0.333333}]


def test_answer_form_keeps_column_case_when_asked():
    assert list(answer_form(KEY.rename(columns={"users": "Users"}), ignore_case=False).columns) == ["Users", "platform"]


def _big(n):
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(n)], "days": np.arange(n) % 7})


def test_answer_form_of_a_large_result_is_a_digest_of_its_rows():
    at_threshold = answer_form(_big(LARGE))
    assert isinstance(at_threshold, pd.DataFrame) and len(at_threshold) == LARGE
    digest = answer_form(_big(LARGE + 1))
    assert isinstance(digest, str)
    assert digest.startswith(f"{LARGE + 1} rows, sha256 ") and len(digest.rsplit(" ", 1)[1]) == 64


def test_a_large_results_digest_ignores_row_order_column_order_case_and_int_or_float():
    big = _big(LARGE + 10)
    shuffled = big.sample(frac=1, random_state=0)[["days", "user_id"]].astype({"days": float})
    assert answer_form(shuffled.rename(columns={"days": "DAYS"})) == answer_form(big)


def test_a_large_results_digest_changes_with_one_value_or_one_duplicate():
    big = _big(LARGE + 10)
    changed = big.copy()
    changed.loc[5, "days"] = 100
    assert answer_form(changed) != answer_form(big)
    duplicated = pd.concat([big.iloc[:-1], big.iloc[[0]]], ignore_index=True)  # same count, one row twice
    assert answer_form(duplicated) != answer_form(big)


def test_a_large_result_with_a_double_quote_in_a_column_name_gets_a_digest():
    assert answer_form(_big(LARGE + 1).rename(columns={"days": 'say "hi"'})).startswith(f"{LARGE + 1} rows")


# --- warehouse(): the real datasets ------------------------------------------------------


@pytest.fixture(scope="module")
def course_data():
    """The two datasets as pmcourse.load returns them, read once for this file."""
    return {name: pmcourse.load(name) for name in ("product_users", "product_events")}


@pytest.fixture
def counted_load(monkeypatch, course_data):
    """pmcourse.warehouse's `load`, counting its calls, serving the frames read above."""
    calls = []

    def load(name):
        calls.append(name)
        return course_data[name].copy()

    clear = getattr(wh._loaded, "cache_clear", lambda: None)  # (absent if the cache were removed)
    clear()
    monkeypatch.setattr(wh, "load", load)
    yield calls
    clear()


def test_warehouse_holds_users_and_events_with_the_datasets_rows(counted_load, course_data):
    users, events = course_data["product_users"], course_data["product_events"]
    con = wh.warehouse()
    assert sorted(r[0] for r in con.execute("SHOW TABLES").fetchall()) == ["events", "users"]
    assert con.execute("SELECT COUNT(*) FROM users").fetchone()[0] == len(users)
    assert con.execute("SELECT COUNT(*) FROM events").fetchone()[0] == len(events)
    assert con.execute("SELECT COUNT(DISTINCT user_id) FROM events").fetchone()[0] == events["user_id"].nunique()
    by_platform = sql("SELECT platform, COUNT(*) AS n FROM users GROUP BY platform", con)
    expected = users["platform"].astype(str).value_counts()
    assert dict(zip(by_platform["platform"], by_platform["n"])) == expected.to_dict()
    assert list(sql("SELECT * FROM users LIMIT 0", con).columns) == list(users.columns)
    assert list(sql("SELECT * FROM events LIMIT 0", con).columns) == list(events.columns)
    assert sorted(counted_load) == ["product_events", "product_users"]


def test_the_datasets_are_read_once_per_process_and_each_warehouse_is_separate(counted_load, course_data):
    # users only: building the 380k-row events table twice would cost seconds
    first = wh.warehouse(["users"])
    first.execute("DELETE FROM users")
    second = wh.warehouse(["users"])
    assert counted_load == ["product_users"]  # read once, not once per warehouse
    assert second is not first
    assert second.execute("SELECT COUNT(*) FROM users").fetchone()[0] == len(course_data["product_users"])


def test_dataset_gives_a_fresh_copy_of_the_cached_frame(counted_load):
    a = wh.dataset("product_users")
    a.loc[:, "platform"] = None
    assert wh.dataset("product_users")["platform"].notna().all()
    assert counted_load == ["product_users"]


def test_warehouse_builds_only_the_tables_asked_for(counted_load):
    con = wh.warehouse(["users"])
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["users"]
    assert counted_load == ["product_users"]
    with pytest.raises(KeyError):
        wh.warehouse(["sessions"])


@pytest.mark.parametrize("table", sorted(set(wh.TABLES) - {"events"}))  # events: checked above (380k rows)
def test_every_warehouse_table_is_a_course_dataset_loaded_whole(table):
    """Each name in TABLES loads its dataset: same rows, same columns (m06 03 and 04 read them all)."""
    frame = wh.dataset(wh.TABLES[table])
    con = wh.warehouse([table])
    assert con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == len(frame)
    assert list(sql(f"SELECT * FROM {table} LIMIT 0", con).columns) == list(frame.columns)
