"""The DuckDB store: file, schema migrations, uploads, archive, rollback, views.

Connections are short-lived: open, do one job, close. A DuckDB file admits one
writing process at a time, so holding a connection open would lock the CLI out
while the app runs (and the other way round). ``connect`` waits up to
``lock_timeout_s`` for another process to let go and then raises
``StoreLockedError`` with a Chinese message instead of a traceback.

Current data (contract §6–§7): for each (period, county, township) the current
version is the latest upload covering it that has not been rolled back. The
views ``v_branch_month`` and ``v_task`` (and, since schema version 4, the problem
list ``v_problem`` and the rectification records ``v_weak``) show only rows of
current versions.

Since schema version 2 that rule is not re-derived by every query: it is kept as
a flag ``is_current`` on ``upload_scope``, ``branch_month`` and ``task``, set in
the same transaction as the change that moves it (load, rollback, clear_demo all
call ``refresh_current`` for the units they touch), so the views are plain
filtered scans. Rows inserted without the flag count as current (DEFAULT true):
the test factory and the benchmark generator write one upload per unit.

Since schema version 3 the per-branch snapshot of every month and quarter
(metrics.md: a quarter takes each branch's latest month inside it) is kept in the
table ``branch_snapshot``, refreshed by ``refresh_current`` in the same
transaction for the months and quarters of the units it touches, so the
analytics read a period's snapshot instead of re-deriving it. Each row also
carries the branch's previous period (``in_prev``, ``prev_*``), whether it has a
next one (``in_next``) and its place in the period's name order (``name_order``),
so rankings and the red/black lists read one period. Code that writes the
internal tables directly (the test factory, the benchmark generator) calls
``rebuild_snapshots`` afterwards.

Since schema version 8 the per-star counts of each current report (tasks done /
accepted / overdue, open and overdue problems, the people named; per star slot and
for the report as a whole) are kept in the table ``branch_star``, refreshed by
``refresh_current`` in the same transaction for the units it touches, so the
per-star view and the per-branch battle-map metrics read a few rows per branch
instead of counting the task rows of the whole scope on every request.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analytics import audit
from analytics.audit import Actor
from analytics.periods import Period, label_of
from analytics.settings import Settings, load_settings

SCHEMA_VERSION = 8

# --- the per-period snapshot (branch_snapshot, schema version 3) ----------------

# One row per branch and period (grain 'month' | 'quarter', period_start = the
# first day of the month / quarter) holding the row the snapshot rule picks,
# with the settings-independent figures the analytics read precomputed. Score,
# level and ranks depend on settings and on the scope and stay query-time.
_SNAPSHOT_TABLE_SQL = """
CREATE TABLE branch_snapshot (
    grain         VARCHAR NOT NULL,   -- 'month' | 'quarter'
    period_start  DATE NOT NULL,      -- first day of the month / quarter
    period        DATE NOT NULL,      -- the month whose row this is (the snapshot month)
    county        VARCHAR NOT NULL,
    township      VARCHAR NOT NULL,
    branch        VARCHAR NOT NULL,
    branch_type   VARCHAR NOT NULL,
    -- false only for a quarter row of a branch whose type changed inside the
    -- quarter: the latest month of an earlier type, read only by a scope that
    -- filters on that branch_type (see _SNAPSHOT_QUARTERS_SQL).
    is_latest     BOOLEAN NOT NULL,
    target_stars  INTEGER,
    star_1        VARCHAR,
    star_2        VARCHAR,
    star_3        VARCHAR,
    star_4        VARCHAR,
    star_5        VARCHAR,
    stars         INTEGER NOT NULL,
    tasks_done    INTEGER,
    tasks_total   INTEGER,
    open_problems INTEGER,
    weak          BOOLEAN NOT NULL,
    upload_id     VARCHAR NOT NULL,
    secretary     VARCHAR,
    task_rate     DOUBLE,             -- tasks_done / tasks_total; NULL when unknown or total 0
    overdue       BIGINT NOT NULL,    -- task rows of the snapshot month overdue at its end
    task_rows     BIGINT NOT NULL,    -- task rows of the snapshot month
    -- B5 stagnation run: the first month of the run of consecutive calendar
    -- months ending at `period` in which the branch has a row with the same stars
    -- and tasks_done (an unknown tasks_done equals only an unknown one).
    same_since    DATE NOT NULL,
    -- The branch in the previous period of this grain (the calendar month or
    -- quarter before): its latest row there (is_latest), so that rankings and the
    -- red/black lists read one period instead of joining two.
    in_prev       BOOLEAN NOT NULL,   -- it has a row there
    prev_type     VARCHAR,            -- that row's branch_type
    prev_stars    INTEGER,
    prev_task_rate DOUBLE,
    prev_attained BOOLEAN,            -- stars >= target_stars there (no target: false)
    -- The branch in the next period of this grain: its latest row there (B4 未报送).
    in_next       BOOLEAN NOT NULL,
    next_type     VARCHAR,
    -- Position among the rows of the same grain and period_start in the tie
    -- order of every ranking: branch, township, county (then branch_type) in
    -- Unicode code-point order. Renumbered when a load adds or removes names.
    name_order    INTEGER NOT NULL
);
"""

# Month rows of the units of month $month in {units} (period, county, township):
# each branch's row by the month rule of cadence.md §1 (its monthly report, else its
# latest weekly report whose Sunday falls in the month), with its task counts and
# its stagnation run (from the previous month's rows, so months are written in
# calendar order). {units} is `_snap_units` (the units of a refresh) or every
# current unit (a rebuild); {tasks} is _UNIT_TASKS_SQL (the units' current task
# rows of the month and of its weeks) or, for the month a load writes, the load's
# own task rows as registered from Arrow plus the units' weekly task rows
# (_LOADED_TASKS_SQL; reading them there is ~10 ms cheaper at city scale than
# scanning the transaction's new rows).
_SNAPSHOT_MONTHS_SQL = """
INSERT INTO branch_snapshot BY NAME
WITH units AS (
    SELECT DISTINCT period, county, township FROM {units} WHERE period = $month
),
monthly AS (
    SELECT b.*
    FROM branch_month b
    JOIN units u ON u.county = b.county AND u.township = b.township
    WHERE b.is_current AND b.period = $month AND b.period_kind = 'month'
),
weekly AS (
    -- cadence.md §1: a branch with no monthly report takes its latest weekly report
    -- whose Sunday (Monday + 6) falls in the month.
    SELECT b.*
    FROM branch_month b
    JOIN units u ON u.county = b.county AND u.township = b.township
    WHERE b.is_current AND b.period_kind = 'week'
      AND b.period BETWEEN CAST($month::DATE - 6 AS DATE) AND CAST(last_day($month::DATE) - 6 AS DATE)
    QUALIFY row_number() OVER (PARTITION BY b.county, b.township, b.branch ORDER BY b.period DESC) = 1
),
rows_of_units AS (
    -- The monthly report beats any weekly one of the same branch.
    SELECT * FROM monthly
    UNION ALL BY NAME
    SELECT w.* FROM weekly w
    ANTI JOIN monthly m ON m.county = w.county AND m.township = w.township AND m.branch = w.branch
),
tasks_of_units AS (
    SELECT t.county, t.township, t.branch, t.period, t.period_kind,
           count(*) AS task_rows,
           -- Overdue = deadline ≤ the last day of the report's period (the month's last day,
           -- a weekly report's Sunday) and not done (no deadline: never overdue).
           count(*) FILTER (WHERE t.deadline <= CASE WHEN t.period_kind = 'week' THEN CAST(t.period + 6 AS DATE)
                                                     ELSE last_day(t.period) END
                              AND NOT t.done) AS overdue
    FROM {tasks} t
    GROUP BY ALL
),
previous AS (
    -- The same units' rows of the calendar month before (one per branch: the
    -- importer rejects a branch listed twice in a month).
    SELECT p.county, p.township, p.branch, p.stars, p.tasks_done, p.same_since,
           p.branch_type, p.task_rate, coalesce(p.stars >= p.target_stars, false) AS attained
    FROM branch_snapshot p
    JOIN units u ON u.county = p.county AND u.township = p.township
    WHERE p.grain = 'month' AND p.period_start = CAST($month - INTERVAL 1 MONTH AS DATE)
),
final AS (
    -- A month is its own snapshot: one row per branch.
    SELECT 'month' AS grain, $month::DATE AS period_start, $month::DATE AS period, r.county, r.township, r.branch,
           r.branch_type, true AS is_latest, r.target_stars,
           r.star_1, r.star_2, r.star_3, r.star_4, r.star_5, r.stars,
           r.tasks_done, r.tasks_total, r.open_problems, r.weak, r.upload_id, r.secretary,
           -- The report the row comes from: 'month' (period = the month) or 'week' (the Monday).
           r.period_kind AS source_kind, r.period AS source_period,
           -- task_rate = tasks_done / tasks_total, NULL when either is unknown or total is 0.
           CASE WHEN r.tasks_done IS NULL OR r.tasks_total IS NULL OR r.tasks_total = 0 THEN NULL
                ELSE r.tasks_done::DOUBLE / r.tasks_total END AS task_rate,
           coalesce(t.overdue, 0) AS overdue,
           coalesce(t.task_rows, 0) AS task_rows,
           -- The run goes on when last month has a row with equal stars and tasks_done.
           CASE WHEN p.stars = r.stars AND p.tasks_done IS NOT DISTINCT FROM r.tasks_done THEN p.same_since
                ELSE $month::DATE END AS same_since,
           p.branch IS NOT NULL AS in_prev, p.branch_type AS prev_type, p.stars AS prev_stars,
           p.task_rate AS prev_task_rate, p.attained AS prev_attained,
           -- (in_next: set after the later months are written, see _SNAPSHOT_NEXT_SQL.)
           false AS in_next, NULL::VARCHAR AS next_type,
           -- Position among the rows written here; _SNAPSHOT_NAME_ORDER_SQL renumbers
           -- the month when it holds other units' rows too.
           CAST(row_number() OVER (ORDER BY r.branch COLLATE "binary", r.township COLLATE "binary",
                                            r.county COLLATE "binary", r.branch_type COLLATE "binary") AS INTEGER)
               AS name_order
    FROM rows_of_units r
    LEFT JOIN tasks_of_units t ON t.county = r.county AND t.township = r.township AND t.branch = r.branch
                              AND t.period = r.period AND t.period_kind = r.period_kind
    LEFT JOIN previous p ON p.county = r.county AND p.township = r.township AND p.branch = r.branch
)
SELECT * FROM final
"""

# The current weekly task rows of the units whose week's Sunday falls in month $month.
_UNIT_WEEK_TASKS_SQL = """
    SELECT t.county, t.township, t.branch, t.period, t.period_kind, t.deadline, t.done
    FROM task t
    JOIN units u ON u.county = t.county AND u.township = t.township
    WHERE t.is_current AND t.period_kind = 'week'
      AND t.period BETWEEN CAST($month::DATE - 6 AS DATE) AND CAST(last_day($month::DATE) - 6 AS DATE)
"""

# The current task rows of the units of month $month (the {tasks} of _SNAPSHOT_MONTHS_SQL):
# the monthly report's and the weekly reports' of the month.
_UNIT_TASKS_SQL = """(
    SELECT t.county, t.township, t.branch, t.period, t.period_kind, t.deadline, t.done
    FROM task t
    JOIN units u ON u.county = t.county AND u.township = t.township
    WHERE t.is_current AND t.period = $month AND t.period_kind = 'month'
    UNION ALL
""" + _UNIT_WEEK_TASKS_SQL + ")"

# The {tasks} of the month a monthly load writes: its own rows (relation {relation}) and the
# units' weekly task rows of the month.
_LOADED_TASKS_SQL = """(
    SELECT county, township, branch, $month::DATE AS period, 'month' AS period_kind, deadline, done
    FROM {relation}
    UNION ALL
""" + _UNIT_WEEK_TASKS_SQL + ")"

# Week rows of the units of week $week (its Monday) in {weeks} (period, county, township):
# every current weekly row as it is (cadence.md §1: a branch's row for a week is its
# report for that week), with its task counts and its stagnation run over consecutive
# weeks (weeks are written in calendar order).
_SNAPSHOT_WEEKS_SQL = """
INSERT INTO branch_snapshot BY NAME
WITH units AS (
    SELECT DISTINCT period, county, township FROM {weeks} WHERE period = $week
),
rows_of_units AS (
    SELECT b.*
    FROM branch_month b
    JOIN units u ON u.county = b.county AND u.township = b.township
    WHERE b.is_current AND b.period = $week AND b.period_kind = 'week'
),
tasks_of_units AS (
    SELECT t.county, t.township, t.branch,
           count(*) AS task_rows,
           -- Overdue = deadline ≤ the week's Sunday and not done (no deadline: never overdue).
           count(*) FILTER (WHERE t.deadline <= CAST($week::DATE + 6 AS DATE) AND NOT t.done) AS overdue
    FROM task t
    JOIN units u ON u.county = t.county AND u.township = t.township
    WHERE t.is_current AND t.period = $week AND t.period_kind = 'week'
    GROUP BY ALL
),
previous AS (
    -- The same units' rows of the week before.
    SELECT p.county, p.township, p.branch, p.stars, p.tasks_done, p.same_since,
           p.branch_type, p.task_rate, coalesce(p.stars >= p.target_stars, false) AS attained
    FROM branch_snapshot p
    JOIN units u ON u.county = p.county AND u.township = p.township
    WHERE p.grain = 'week' AND p.period_start = CAST($week::DATE - 7 AS DATE)
),
final AS (
    SELECT 'week' AS grain, r.period AS period_start, r.period, r.county, r.township, r.branch,
           r.branch_type, true AS is_latest, r.target_stars,
           r.star_1, r.star_2, r.star_3, r.star_4, r.star_5, r.stars,
           r.tasks_done, r.tasks_total, r.open_problems, r.weak, r.upload_id, r.secretary,
           'week' AS source_kind, r.period AS source_period,
           -- task_rate = tasks_done / tasks_total, NULL when either is unknown or total is 0.
           CASE WHEN r.tasks_done IS NULL OR r.tasks_total IS NULL OR r.tasks_total = 0 THEN NULL
                ELSE r.tasks_done::DOUBLE / r.tasks_total END AS task_rate,
           coalesce(t.overdue, 0) AS overdue,
           coalesce(t.task_rows, 0) AS task_rows,
           -- The run goes on when last week has a row with equal stars and tasks_done.
           CASE WHEN p.stars = r.stars AND p.tasks_done IS NOT DISTINCT FROM r.tasks_done THEN p.same_since
                ELSE r.period END AS same_since,
           p.branch IS NOT NULL AS in_prev, p.branch_type AS prev_type, p.stars AS prev_stars,
           p.task_rate AS prev_task_rate, p.attained AS prev_attained,
           false AS in_next, NULL::VARCHAR AS next_type,
           CAST(row_number() OVER (ORDER BY r.branch COLLATE "binary", r.township COLLATE "binary",
                                            r.county COLLATE "binary", r.branch_type COLLATE "binary") AS INTEGER)
               AS name_order
    FROM rows_of_units r
    LEFT JOIN tasks_of_units t ON t.county = r.county AND t.township = r.township AND t.branch = r.branch
    LEFT JOIN previous p ON p.county = r.county AND p.township = r.township AND p.branch = r.branch
)
SELECT * FROM final
"""

# Rows of the derived periods of _derived_periods (grain 'quarter' | 'half' | 'year', first
# day start, span months; at most one period per grain) for the (county, township) units of
# {units} holding a month of them, from the month rows (written first). A period's in_prev &
# co. come from the period before, so rounds are written in calendar order (_write_snapshots).
_SNAPSHOT_DERIVED_SQL = """
INSERT INTO branch_snapshot BY NAME
WITH periods AS (
    SELECT grain, start, span, CAST(start + to_months(span - 1) AS DATE) AS last_month FROM _derived_periods
),
units AS (
    SELECT DISTINCT d.grain, d.start, d.span, d.last_month, x.county, x.township
    FROM {units} x
    JOIN periods d ON x.period BETWEEN d.start AND d.last_month
),
months AS (
    SELECT u.grain AS d_grain, u.start AS d_start, u.span AS d_span, m.*
    FROM branch_snapshot m
    JOIN units u ON u.county = m.county AND u.township = m.township
    WHERE m.grain = 'month' AND m.period_start BETWEEN u.start AND u.last_month
),
per_type AS (
    -- Snapshot rule: a quarter / half-year / year takes, for each branch (county,
    -- township, branch), its latest month inside it (that month's row by the month
    -- rule, cadence.md §1), every field from the row of that month (arg_max_null
    -- keeps a NULL of that row). Taken per branch_type too: a scope filtering on
    -- branch_type sees a branch whose type changed inside the period at its latest
    -- month of that type (is_latest false).
    SELECT m.d_grain, m.d_start, m.d_span, max(m.period) AS period, m.county, m.township, m.branch, m.branch_type,
           arg_max_null(m.target_stars, m.period) AS target_stars,
           arg_max_null(m.star_1, m.period) AS star_1,
           arg_max_null(m.star_2, m.period) AS star_2,
           arg_max_null(m.star_3, m.period) AS star_3,
           arg_max_null(m.star_4, m.period) AS star_4,
           arg_max_null(m.star_5, m.period) AS star_5,
           arg_max_null(m.stars, m.period) AS stars,
           arg_max_null(m.tasks_done, m.period) AS tasks_done,
           arg_max_null(m.tasks_total, m.period) AS tasks_total,
           arg_max_null(m.open_problems, m.period) AS open_problems,
           arg_max_null(m.weak, m.period) AS weak,
           arg_max_null(m.upload_id, m.period) AS upload_id,
           arg_max_null(m.secretary, m.period) AS secretary,
           arg_max_null(m.source_kind, m.period) AS source_kind,
           arg_max_null(m.source_period, m.period) AS source_period,
           arg_max_null(m.task_rate, m.period) AS task_rate,
           arg_max_null(m.overdue, m.period) AS overdue,
           arg_max_null(m.task_rows, m.period) AS task_rows,
           arg_max_null(m.same_since, m.period) AS same_since
    FROM months m
    GROUP BY m.d_grain, m.d_start, m.d_span, m.county, m.township, m.branch, m.branch_type
),
previous AS (
    -- The same units' latest rows of the period before.
    SELECT u.grain AS d_grain, p.county, p.township, p.branch, p.branch_type, p.stars, p.task_rate,
           coalesce(p.stars >= p.target_stars, false) AS attained
    FROM branch_snapshot p
    JOIN units u ON u.county = p.county AND u.township = p.township AND u.grain = p.grain
    WHERE p.is_latest AND p.period_start = CAST(u.start - to_months(u.span) AS DATE)
),
latest AS (
    -- Each branch's latest month in the period, whatever its type.
    SELECT d_grain, county, township, branch, max(period) AS period FROM per_type GROUP BY ALL
),
final AS (
    SELECT t.d_grain AS grain, t.d_start AS period_start, t.period, t.county, t.township, t.branch,
           t.branch_type,
           t.period = l.period AS is_latest,
           t.target_stars, t.star_1, t.star_2, t.star_3, t.star_4, t.star_5, t.stars,
           t.tasks_done, t.tasks_total, t.open_problems, t.weak, t.upload_id, t.secretary,
           t.source_kind, t.source_period,
           t.task_rate, t.overdue, t.task_rows, t.same_since,
           p.branch IS NOT NULL AS in_prev, p.branch_type AS prev_type, p.stars AS prev_stars,
           p.task_rate AS prev_task_rate, p.attained AS prev_attained,
           false AS in_next, NULL::VARCHAR AS next_type,
           CAST(row_number() OVER (PARTITION BY t.d_grain
                                   ORDER BY t.branch COLLATE "binary", t.township COLLATE "binary",
                                            t.county COLLATE "binary", t.branch_type COLLATE "binary") AS INTEGER)
               AS name_order
    FROM per_type t
    JOIN latest l ON l.d_grain = t.d_grain AND l.county = t.county AND l.township = t.township
                 AND l.branch = t.branch
    LEFT JOIN previous p ON p.d_grain = t.d_grain AND p.county = t.county AND p.township = t.township
                        AND p.branch = t.branch
)
SELECT * FROM final
"""

# The first day of the period of each grain holding the month / Monday `d` (SQL expression).
_GRAIN_START = {
    "month": "CAST(date_trunc('month', {d}) AS DATE)",
    "quarter": "CAST(date_trunc('quarter', {d}) AS DATE)",
    "half": "make_date(year({d}), CASE WHEN month({d}) <= 6 THEN 1 ELSE 7 END, 1)",
    "year": "CAST(date_trunc('year', {d}) AS DATE)",
}

# The first day of the period after / before the row's (by grain); a week is 7 days.
_NEXT_START = """CASE {r}.grain WHEN 'week' THEN CAST({r}.period_start + {sign}7 AS DATE)
    ELSE CAST({r}.period_start {op} to_months(CASE {r}.grain WHEN 'month' THEN 1 WHEN 'quarter' THEN 3
                                                 WHEN 'half' THEN 6 ELSE 12 END) AS DATE) END"""

# in_next / next_type of the rows of the units' (county, township) from the
# period before their first rewritten one on (every later period of a unit is
# rewritten with it): whether the branch has a latest row in the next period.
# {units}: month units (period = a month); {weeks}: week units (period = a Monday).
_SNAPSHOT_NEXT_SQL = """
UPDATE branch_snapshot AS s
SET in_next = c.in_next, next_type = c.next_type
FROM (
    SELECT r.grain, r.period_start, r.county, r.township, r.branch, r.branch_type,
           n.branch IS NOT NULL AS in_next, n.branch_type AS next_type
    FROM branch_snapshot r
    JOIN (SELECT m.county, m.township, m.first, w.first_week
          FROM (SELECT county, township, min(period) AS first FROM {units} GROUP BY ALL) m
          LEFT JOIN (SELECT county, township, min(period) AS first_week FROM {weeks} GROUP BY ALL) w
            ON w.county = m.county AND w.township = m.township) u
      ON u.county = r.county AND u.township = r.township
    LEFT JOIN branch_snapshot n
      ON n.grain = r.grain AND n.is_latest
     AND n.period_start = """ + _NEXT_START.format(r="r", sign="", op="+") + """
     AND n.county = r.county AND n.township = r.township AND n.branch = r.branch
    WHERE r.period_start >= CASE r.grain
              WHEN 'week' THEN coalesce(CAST(u.first_week - 7 AS DATE), DATE '9999-12-31')
              WHEN 'month' THEN CAST(u.first - INTERVAL 1 MONTH AS DATE)
              WHEN 'quarter' THEN CAST(date_trunc('quarter', u.first) - INTERVAL 3 MONTH AS DATE)
              WHEN 'half' THEN CAST(""" + _GRAIN_START["half"].format(d="u.first") + """ - INTERVAL 6 MONTH AS DATE)
              ELSE CAST(date_trunc('year', u.first) - INTERVAL 12 MONTH AS DATE) END
) c
WHERE s.grain = c.grain AND s.period_start = c.period_start AND s.county = c.county
  AND s.township = c.township AND s.branch = c.branch AND s.branch_type = c.branch_type
  AND (s.in_next <> c.in_next OR s.next_type IS DISTINCT FROM c.next_type)
"""

# The (grain, period_start, county, township) a refresh writes: the weeks of {weeks},
# the months of {units} and the quarters, half-years and years holding them.
_WRITTEN_SQL = """
SELECT DISTINCT 'week' AS grain, period AS period_start, county, township FROM {weeks}
UNION
SELECT DISTINCT 'month', period, county, township FROM {units}
UNION
SELECT DISTINCT 'quarter', """ + _GRAIN_START["quarter"].format(d="period") + """, county, township FROM {units}
UNION
SELECT DISTINCT 'half', """ + _GRAIN_START["half"].format(d="period") + """, county, township FROM {units}
UNION
SELECT DISTINCT 'year', """ + _GRAIN_START["year"].format(d="period") + """, county, township FROM {units}
"""

# The written periods holding rows of other units too (their name_order is renumbered;
# rows written by a refresh are numbered among themselves).
_SNAPSHOT_MIXED_PERIODS_SQL = """
WITH written AS ({written})
SELECT DISTINCT s.grain, s.period_start
FROM branch_snapshot s
JOIN (SELECT DISTINCT grain, period_start FROM written) p ON p.grain = s.grain AND p.period_start = s.period_start
LEFT JOIN written w
  ON w.grain = s.grain AND w.period_start = s.period_start AND w.county = s.county AND w.township = s.township
WHERE w.county IS NULL
ORDER BY ALL
"""

# Whether the units have rows before the first written ones (their in_next may change):
# weeks before the first written week, months before the first written month. (A quarter,
# half-year or year before the written ones exists only if a month before them does; the
# ones holding the first written month start before it but were just written themselves.)
_SNAPSHOT_BEFORE_SQL = """
SELECT count(*)
FROM branch_snapshot s
JOIN (SELECT DISTINCT county, township FROM {units}) u ON u.county = s.county AND u.township = s.township
WHERE (s.grain = 'week' AND s.period_start < $first_week::DATE)
   OR (s.grain = 'month' AND s.period_start < $first::DATE)
"""

# Renumber name_order over all rows of one period ($grain, $start): rows written
# by a refresh are numbered among themselves only. Writes only changed rows.
_SNAPSHOT_NAME_ORDER_SQL = """
UPDATE branch_snapshot AS s
SET name_order = c.pos
FROM (
    SELECT county, township, branch, branch_type,
           CAST(row_number() OVER (ORDER BY branch COLLATE "binary", township COLLATE "binary",
                                            county COLLATE "binary", branch_type COLLATE "binary") AS INTEGER) AS pos
    FROM branch_snapshot
    WHERE grain = $grain AND period_start = $start
) c
WHERE s.grain = $grain AND s.period_start = $start
  AND s.county = c.county AND s.township = c.township AND s.branch = c.branch AND s.branch_type = c.branch_type
  AND s.name_order <> c.pos
"""

# Remove the rows a refresh rewrites (_WRITTEN_SQL); $lo/$hi bound period_start (row groups skipped).
_SNAPSHOT_DELETE_SQL = """
DELETE FROM branch_snapshot s
USING ({written}) u
WHERE s.grain = u.grain AND s.period_start = u.period_start
  AND s.county = u.county AND s.township = u.township
  AND s.period_start BETWEEN $lo AND $hi
"""

# Every current unit as a month unit (a weekly report's: the month of its Sunday) / as a week unit.
_ALL_CURRENT_UNITS = (
    "(SELECT DISTINCT CASE WHEN period_kind = 'week' THEN CAST(date_trunc('month', period + 6) AS DATE)"
    " ELSE period END AS period, county, township FROM branch_month WHERE is_current)"
)
_ALL_CURRENT_WEEKS = "(SELECT DISTINCT period, county, township FROM branch_month WHERE is_current AND period_kind = 'week')"

# Later month units whose stagnation run may follow from a rewritten month: every
# current month (of a monthly report, or holding a weekly report's Sunday) after the
# first rewritten one of the same (county, township).
_LATER_UNITS_SQL = """
WITH later AS (
    SELECT CASE WHEN s.period_kind = 'week' THEN CAST(date_trunc('month', s.period + 6) AS DATE)
                ELSE s.period END AS period, s.county, s.township
    FROM branch_month s
    JOIN (SELECT county, township, min(period) AS first FROM _snap_units GROUP BY ALL) u
      ON u.county = s.county AND u.township = s.township AND s.period > CAST(u.first - 7 AS DATE)
    WHERE s.is_current AND s.period > CAST($first::DATE - 7 AS DATE)
)
SELECT DISTINCT l.period, l.county, l.township
FROM later l
JOIN (SELECT county, township, min(period) AS first FROM _snap_units GROUP BY ALL) u
  ON u.county = l.county AND u.township = l.township AND l.period > u.first
"""

# Later week units of the same (county, township) as a rewritten week (their run and in_prev follow).
_LATER_WEEKS_SQL = """
SELECT DISTINCT s.period, s.county, s.township
FROM branch_month s
JOIN (SELECT county, township, min(period) AS first FROM _snap_weeks GROUP BY ALL) u
  ON u.county = s.county AND u.township = s.township AND s.period > u.first
WHERE s.is_current AND s.period_kind = 'week' AND s.period > $first_week::DATE
"""

# --- the per-star summary of each current report (branch_star, schema version 8) ----------

# One row per current report of a branch (period_kind 'month' | 'week', period = the month /
# the Monday) and star slot (1–5; NULL = tasks and problems that name no star, 未分星), with
# the counts of its task and problem rows and the people named on them; plus one row with
# star_slot 0 for the report as a whole. The per-star view (分星推进) and the per-branch
# battle-map metrics read these instead of counting millions of task rows per request.
# Kept by refresh_current for the units it touches (load, acceptance, rollback, clear-demo),
# like branch_snapshot; a branch without task or problem rows in a report has no row.
_BRANCH_STAR_TABLE_SQL = """
CREATE TABLE branch_star (
    period_kind      VARCHAR NOT NULL,  -- 'month' | 'week' (the report, as task.period_kind)
    period           DATE NOT NULL,     -- the report's month / Monday (as task.period)
    county           VARCHAR NOT NULL,
    township         VARCHAR NOT NULL,
    branch           VARCHAR NOT NULL,
    star_slot        INTEGER,           -- 1–5; NULL = 未分星; 0 = every row of the report
    tasks            INTEGER NOT NULL,  -- task rows
    tasks_done       INTEGER NOT NULL,
    tasks_accepted   INTEGER NOT NULL,
    tasks_overdue    INTEGER NOT NULL,  -- not done, deadline <= the report's last day
    open_problems    INTEGER NOT NULL,  -- problem rows not closed (销号)
    overdue_problems INTEGER NOT NULL,  -- open, deadline <= the report's last day
    -- The people named on the star's tasks (team, star owner, owner) and on its open problems
    -- (owner), each name once, in code-point order, joined by 、; NULL when none (and on slot 0).
    people           VARCHAR
);
"""

# The branch_star rows of the current task and problem rows {where} selects (aliases t, p;
# a join {join_t} / {join_p} may restrict them to some units), {order}: _BRANCH_STAR_ORDER
# (the order the analytics read them, so a period's rows sit together) when the whole table
# is rebuilt; nothing when a load rewrites its units (their rows sit together anyway: sorting
# a city's 32,000 rows cost ~15 ms and ~6 MiB of the load).
_BRANCH_STAR_SQL = """
INSERT INTO branch_star BY NAME
WITH items AS (
    -- Overdue = deadline <= the last day of the report's period (month end, a week's Sunday)
    -- and not done / not closed; no deadline: never overdue (as v_task, v_problem).
    SELECT t.period_kind, t.period, t.county, t.township, t.branch, t.star_slot,
           true AS is_task, t.done, coalesce(t.accepted, false) AS accepted,
           coalesce(t.deadline <= CASE WHEN t.period_kind = 'week' THEN CAST(t.period + 6 AS DATE)
                                       ELSE last_day(t.period) END AND NOT t.done, false) AS overdue,
           false AS open, false AS open_overdue,
           -- The names each row contributes (as three columns: a list per row cost more than
           -- the whole count).
           t.team AS name_1, t.star_owner AS name_2, t.owner AS name_3
    FROM task t {join_t}
    WHERE t.is_current {where_t}
    UNION ALL
    SELECT p.period_kind, p.period, p.county, p.township, p.branch, p.star_slot,
           false, false, false, false,
           NOT p.closed,
           coalesce(NOT p.closed AND p.deadline <= CASE WHEN p.period_kind = 'week' THEN CAST(p.period + 6 AS DATE)
                                                        ELSE last_day(p.period) END, false),
           -- Only an open problem's owner is named (battle-map.md §4: the people still at work).
           NULL, NULL, CASE WHEN p.closed THEN NULL ELSE p.owner END
    FROM problem p {join_p}
    WHERE p.is_current {where_p}
),
per_star AS (
    SELECT period_kind, period, county, township, branch, star_slot,
           CAST(count(*) FILTER (WHERE is_task) AS INTEGER) AS tasks,
           CAST(count(*) FILTER (WHERE done) AS INTEGER) AS tasks_done,
           CAST(count(*) FILTER (WHERE accepted) AS INTEGER) AS tasks_accepted,
           CAST(count(*) FILTER (WHERE overdue) AS INTEGER) AS tasks_overdue,
           CAST(count(*) FILTER (WHERE open) AS INTEGER) AS open_problems,
           CAST(count(*) FILTER (WHERE open_overdue) AS INTEGER) AS overdue_problems,
           -- Each name once, in code-point order, joined by 、; none -> NULL. The names are
           -- gathered as one string joined by U+001F (a control character, which no stored
           -- name holds: they are removed at import, issue 14) and split again: a city load's
           -- summary took ~110 ms less CPU and ~10 MiB less memory than three list() states.
           array_to_string(list_sort(list_distinct(string_split(
               string_agg(nullif(concat_ws(chr(31), name_1, name_2, name_3), ''), chr(31)), chr(31)))), '、')
               AS people
    FROM items
    GROUP BY ALL
),
whole AS (
    -- star_slot 0: the report as a whole (every star and 未分星).
    SELECT period_kind, period, county, township, branch, 0 AS star_slot,
           CAST(sum(tasks) AS INTEGER) AS tasks, CAST(sum(tasks_done) AS INTEGER) AS tasks_done,
           CAST(sum(tasks_accepted) AS INTEGER) AS tasks_accepted,
           CAST(sum(tasks_overdue) AS INTEGER) AS tasks_overdue,
           CAST(sum(open_problems) AS INTEGER) AS open_problems,
           CAST(sum(overdue_problems) AS INTEGER) AS overdue_problems,
           NULL::VARCHAR AS people
    FROM per_star
    GROUP BY ALL
),
final AS (
    SELECT * FROM per_star
    UNION ALL
    SELECT * FROM whole
)
SELECT * FROM final
{order}
"""
_BRANCH_STAR_ORDER = (
    'ORDER BY period_kind, period, star_slot NULLS LAST, county COLLATE "binary", township COLLATE "binary", '
    'branch COLLATE "binary"'
)

# Restrict _BRANCH_STAR_SQL to the units of _star_units (period, county, township) of kind $kind.
_STAR_UNIT_JOIN = "JOIN _star_units u ON u.period = {a}.period AND u.county = {a}.county AND u.township = {a}.township"
_STAR_UNIT_WHERE = "AND {a}.period_kind = $kind AND {a}.period BETWEEN $first AND $last"

# Remove the branch_star rows of the units of _star_units of kind $kind.
_BRANCH_STAR_DELETE_SQL = """
DELETE FROM branch_star s
USING _star_units u
WHERE s.period_kind = $kind AND s.period = u.period AND s.county = u.county AND s.township = u.township
  AND s.period BETWEEN $first AND $last
"""

# Each migration takes the schema from version i to i+1; applied on open.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

    CREATE TABLE uploads (
        upload_id      VARCHAR PRIMARY KEY,      -- 'U00001', shown to users
        seq            INTEGER NOT NULL UNIQUE,  -- load order; the latest wins
        file_name      VARCHAR NOT NULL,
        uploader       VARCHAR,
        uploaded_at    TIMESTAMP NOT NULL,
        sha256         VARCHAR NOT NULL,
        size_bytes     BIGINT NOT NULL,
        period         DATE NOT NULL,
        n_branches     INTEGER NOT NULL,
        n_tasks        INTEGER NOT NULL,
        warnings       JSON,                     -- list of problem objects
        skipped_sheets JSON,                     -- list of sheet names
        is_demo        BOOLEAN NOT NULL DEFAULT false,
        rolled_back_at TIMESTAMP,                -- set by rollback; NULL = in force
        rolled_back_by VARCHAR
    );

    -- The (county, township) units an upload covers for its period.
    CREATE TABLE upload_scope (
        upload_id VARCHAR NOT NULL,
        period    DATE NOT NULL,
        county    VARCHAR NOT NULL,
        township  VARCHAR NOT NULL,
        PRIMARY KEY (upload_id, county, township)
    );

    -- Original bytes of every accepted upload, by content hash.
    CREATE TABLE archive (
        sha256     VARCHAR PRIMARY KEY,
        size_bytes BIGINT NOT NULL,
        content    BLOB NOT NULL
    );

    CREATE TABLE branch_month (
        upload_id      VARCHAR NOT NULL,
        period         DATE NOT NULL,
        county         VARCHAR NOT NULL,
        township       VARCHAR NOT NULL,
        branch         VARCHAR NOT NULL,
        branch_type    VARCHAR NOT NULL,
        target_stars   INTEGER,
        star_1         VARCHAR,
        star_2         VARCHAR,
        star_3         VARCHAR,
        star_4         VARCHAR,
        star_5         VARCHAR,
        stars          INTEGER NOT NULL,
        stars_reported INTEGER,
        tasks_done     INTEGER,
        tasks_total    INTEGER,
        open_problems  INTEGER,
        problems       VARCHAR,
        weak           BOOLEAN NOT NULL DEFAULT false,
        secretary      VARCHAR,
        notes          VARCHAR,
        source_sheet   VARCHAR,
        source_row     INTEGER
    );

    CREATE TABLE task (
        upload_id    VARCHAR NOT NULL,
        period       DATE NOT NULL,
        county       VARCHAR NOT NULL,
        township     VARCHAR NOT NULL,
        branch       VARCHAR NOT NULL,
        star_slot    INTEGER NOT NULL,
        task         VARCHAR NOT NULL,
        measure      VARCHAR,
        owner        VARCHAR,
        deadline     DATE,
        done         BOOLEAN NOT NULL,
        done_date    DATE,
        source_sheet VARCHAR,
        source_row   INTEGER
    );

    -- Business rule (§6): per (period, county, township) the latest upload
    -- that has not been rolled back is the current version.
    CREATE VIEW v_current_scope AS
    WITH live AS (
        SELECT s.period, s.county, s.township, u.upload_id, u.seq
        FROM upload_scope s JOIN uploads u USING (upload_id)
        WHERE u.rolled_back_at IS NULL
    ),
    final AS (
        SELECT period, county, township, arg_max(upload_id, seq) AS upload_id
        FROM live GROUP BY period, county, township
    )
    SELECT * FROM final;

    CREATE VIEW v_branch_month AS
    SELECT b.period, b.county, b.township, b.branch, b.branch_type, b.target_stars,
           b.star_1, b.star_2, b.star_3, b.star_4, b.star_5, b.stars,
           b.tasks_done, b.tasks_total, b.open_problems, b.weak, b.upload_id
    FROM branch_month b
    JOIN v_current_scope c
      ON b.upload_id = c.upload_id AND b.period = c.period
     AND b.county = c.county AND b.township = c.township;

    CREATE VIEW v_task AS
    SELECT t.period, t.county, t.township, t.branch, t.star_slot, t.task, t.measure,
           t.owner, t.deadline, t.done, t.done_date, t.upload_id
    FROM task t
    JOIN v_current_scope c
      ON t.upload_id = c.upload_id AND t.period = c.period
     AND t.county = c.county AND t.township = c.township;

    -- Extra per-row fields the battle map shows (secretary, problems, notes).
    CREATE VIEW v_branch_month_detail AS
    SELECT b.*
    FROM branch_month b
    JOIN v_current_scope c
      ON b.upload_id = c.upload_id AND b.period = c.period
     AND b.county = c.county AND b.township = c.township;
    """,
    # Version 2: the current version as a maintained flag (see the module docstring),
    # computed once here by the version-1 rule; the views become filtered scans.
    # Adding a column does not rewrite the tables: rows stay in load order, which
    # is period order in normal use, so period filters still skip row groups.
    """
    ALTER TABLE upload_scope ADD COLUMN is_current BOOLEAN DEFAULT true;
    ALTER TABLE branch_month ADD COLUMN is_current BOOLEAN DEFAULT true;
    ALTER TABLE task ADD COLUMN is_current BOOLEAN DEFAULT true;
    -- (before any UPDATE: DuckDB cannot alter an indexed table with outstanding updates)
    ALTER TABLE upload_scope ALTER COLUMN is_current SET NOT NULL;
    ALTER TABLE branch_month ALTER COLUMN is_current SET NOT NULL;
    ALTER TABLE task ALTER COLUMN is_current SET NOT NULL;

    -- Business rule (§6), as version 1 derived it: per (period, county, township)
    -- the latest upload that has not been rolled back is the current version.
    UPDATE upload_scope s
    SET is_current = false
    WHERE NOT EXISTS (
        WITH live AS (
            SELECT s2.period, s2.county, s2.township, u.upload_id, u.seq
            FROM upload_scope s2 JOIN uploads u USING (upload_id)
            WHERE u.rolled_back_at IS NULL
        ),
        final AS (
            SELECT period, county, township, arg_max(upload_id, seq) AS upload_id
            FROM live GROUP BY period, county, township
        )
        SELECT 1 FROM final c
        WHERE c.upload_id = s.upload_id AND c.period = s.period
          AND c.county = s.county AND c.township = s.township
    );

    -- A row is current when its upload is the current version of its unit
    -- (a row without a scope row was never shown and stays hidden).
    UPDATE branch_month b
    SET is_current = false
    WHERE NOT EXISTS (
        SELECT 1 FROM upload_scope s
        WHERE s.is_current AND s.upload_id = b.upload_id AND s.period = b.period
          AND s.county = b.county AND s.township = b.township
    );
    UPDATE task t
    SET is_current = false
    WHERE NOT EXISTS (
        SELECT 1 FROM upload_scope s
        WHERE s.is_current AND s.upload_id = t.upload_id AND s.period = t.period
          AND s.county = t.county AND s.township = t.township
    );

    DROP VIEW v_branch_month_detail;
    DROP VIEW v_task;
    DROP VIEW v_branch_month;
    DROP VIEW v_current_scope;

    -- The current version of each unit (upload history and status use it).
    CREATE VIEW v_current_scope AS
    SELECT period, county, township, upload_id
    FROM upload_scope
    WHERE is_current;

    CREATE VIEW v_branch_month AS
    SELECT period, county, township, branch, branch_type, target_stars,
           star_1, star_2, star_3, star_4, star_5, stars,
           tasks_done, tasks_total, open_problems, weak, upload_id
    FROM branch_month
    WHERE is_current;

    CREATE VIEW v_task AS
    SELECT period, county, township, branch, star_slot, task, measure,
           owner, deadline, done, done_date, upload_id
    FROM task
    WHERE is_current;

    -- Extra per-row fields the battle map shows (secretary, problems, notes).
    CREATE VIEW v_branch_month_detail AS
    SELECT * EXCLUDE (is_current)
    FROM branch_month
    WHERE is_current;
    """,
    # Version 3: the per-period snapshot as a maintained table (see the module
    # docstring), built here from the current rows.
    # (filled by rebuild_snapshots, see _MIGRATION_STEPS).
    _SNAPSHOT_TABLE_SQL,
    # Version 4 (battle-map.md): the task sheet as offices draw it (star optional, team,
    # star owner, department, acceptance), the problem list (问题清单) and the weak-branch
    # rectification (软弱涣散整顿), each current-only in its view like v_task.
    """
    ALTER TABLE task ALTER COLUMN star_slot DROP NOT NULL;  -- NULL = 未分星
    ALTER TABLE task ADD COLUMN team VARCHAR;
    ALTER TABLE task ADD COLUMN star_owner VARCHAR;
    ALTER TABLE task ADD COLUMN department VARCHAR;
    ALTER TABLE task ADD COLUMN accepted BOOLEAN DEFAULT false;
    ALTER TABLE task ADD COLUMN accepted_date DATE;

    CREATE TABLE problem (
        upload_id    VARCHAR NOT NULL,
        period       DATE NOT NULL,
        county       VARCHAR NOT NULL,
        township     VARCHAR NOT NULL,
        branch       VARCHAR NOT NULL,
        star_slot    INTEGER,            -- NULL: the problem names no star
        problem      VARCHAR NOT NULL,
        measure      VARCHAR,
        owner        VARCHAR,
        deadline     DATE,
        closed       BOOLEAN NOT NULL,   -- 销号
        closed_date  DATE,
        source_sheet VARCHAR,
        source_row   INTEGER,
        is_current   BOOLEAN NOT NULL DEFAULT true
    );

    CREATE TABLE weak (
        upload_id    VARCHAR NOT NULL,
        period       DATE NOT NULL,
        county       VARCHAR NOT NULL,
        township     VARCHAR NOT NULL,
        branch       VARCHAR NOT NULL,
        situations   VARCHAR,            -- 认定情形
        plan         VARCHAR,            -- 整顿措施
        liaison      VARCHAR,            -- 包联领导
        identified   DATE,               -- 认定时间
        state        VARCHAR NOT NULL,   -- 整顿中 / 已销号 / 已摘帽 / 巩固提升
        cleared      DATE,               -- 销号/摘帽时间
        source_sheet VARCHAR,
        source_row   INTEGER,
        is_current   BOOLEAN NOT NULL DEFAULT true
    );

    DROP VIEW v_task;
    CREATE VIEW v_task AS
    SELECT period, county, township, branch, star_slot, task, measure,
           owner, deadline, done, done_date, upload_id,
           team, star_owner, department, coalesce(accepted, false) AS accepted, accepted_date
    FROM task
    WHERE is_current;

    CREATE VIEW v_problem AS
    SELECT period, county, township, branch, star_slot, problem, measure, owner,
           deadline, closed, closed_date, upload_id
    FROM problem
    WHERE is_current;

    CREATE VIEW v_weak AS
    SELECT period, county, township, branch, situations, plan, liaison, identified,
           state, cleared, upload_id
    FROM weak
    WHERE is_current;
    """,
    # Version 5: accounts, sign-in attempts and the audit log (shared/spec/access.md).
    # No primary-key indexes: DuckDB updates of indexed tables are restricted; logins
    # are kept unique by analytics.accounts inside the one-writer lock.
    """
    CREATE TABLE account (
        login         VARCHAR NOT NULL,
        display_name  VARCHAR NOT NULL,
        role          VARCHAR NOT NULL,      -- admin | county | township | viewer
        county        VARCHAR,               -- the unit the account belongs to
        township      VARCHAR,
        password_hash VARCHAR NOT NULL,      -- argon2id; never shown, logged or exported
        must_change   BOOLEAN NOT NULL,      -- a temporary password: change at first sign-in
        active        BOOLEAN NOT NULL,
        is_demo       BOOLEAN NOT NULL DEFAULT false,
        created_at    TIMESTAMP NOT NULL,
        changed_at    TIMESTAMP
    );

    -- Every sign-in attempt by login name (also names that do not exist): lockout.
    CREATE TABLE login_attempt (
        login        VARCHAR NOT NULL,
        attempted_at TIMESTAMP NOT NULL,
        ok           BOOLEAN NOT NULL
    );

    -- Review of submissions (access.md §3): a township account's upload waits as
    -- 'pending' until a county accepts or returns it; only 'accepted' uploads can be
    -- current. The latest ACCEPTED upload of a unit wins (accepted_seq: acceptance order).
    ALTER TABLE uploads ADD COLUMN state VARCHAR DEFAULT 'accepted';   -- pending | accepted | returned
    ALTER TABLE uploads ADD COLUMN accepted_seq INTEGER;
    ALTER TABLE uploads ADD COLUMN submitted_by VARCHAR;              -- account login, 命令行:…, 网页:…
    ALTER TABLE uploads ADD COLUMN reviewed_by VARCHAR;
    ALTER TABLE uploads ADD COLUMN reviewed_at TIMESTAMP;
    ALTER TABLE uploads ADD COLUMN review_reason VARCHAR;             -- why it was returned
    ALTER TABLE uploads ADD COLUMN rollback_reason VARCHAR;
    UPDATE uploads SET accepted_seq = seq;

    -- Append-only (analytics.audit is the only writer; it never updates or deletes).
    CREATE TABLE audit_log (
        seq      BIGINT NOT NULL,
        occurred_at TIMESTAMP NOT NULL,
        account  VARCHAR NOT NULL,          -- login, or 命令行:<os user>
        role     VARCHAR,
        action   VARCHAR NOT NULL,          -- analytics.audit.ACTION_LABELS
        object   VARCHAR,                   -- upload id, login, …
        county   VARCHAR,
        township VARCHAR,
        period   VARCHAR,
        details  JSON
    );
    """,
    # Version 6 (register.md, cadence.md): a unit of replacement is (kind, period, county,
    # township). 'month' is the monthly ledger as before; the register, declared goals,
    # weekly ledgers, assessment scores and year-end acceptance are units of their own kind
    # (UNIT_ROWS), each replaced, reviewed and rolled back like a month's ledger. The scope
    # table is rebuilt because its key gains the kind. New row tables for those kinds.
    """
    ALTER TABLE uploads ADD COLUMN kind VARCHAR DEFAULT 'ledger';   -- ledger | register | assessment | acceptance

    DROP VIEW v_current_scope;
    CREATE TABLE upload_scope_v6 (
        upload_id  VARCHAR NOT NULL,
        kind       VARCHAR NOT NULL DEFAULT 'month',  -- UNIT_ROWS: month | week | register | goals | …
        period     DATE NOT NULL,                     -- TIMELESS for kinds without a period
        county     VARCHAR NOT NULL,
        township   VARCHAR NOT NULL,                  -- '' for county-wide units (register, goals)
        is_current BOOLEAN NOT NULL DEFAULT true,
        PRIMARY KEY (upload_id, kind, county, township)
    );
    INSERT INTO upload_scope_v6 (upload_id, kind, period, county, township, is_current)
    SELECT upload_id, 'month', period, county, township, is_current FROM upload_scope;
    DROP TABLE upload_scope;
    ALTER TABLE upload_scope_v6 RENAME TO upload_scope;

    -- The current monthly-ledger version of each unit (upload history and status use it).
    CREATE VIEW v_current_scope AS
    SELECT period, county, township, upload_id
    FROM upload_scope
    WHERE is_current AND kind = 'month';

    -- register.md §1: the branch register (支部名册); a county's import replaces its register.
    CREATE TABLE register (
        upload_id    VARCHAR NOT NULL,
        county       VARCHAR NOT NULL,
        township     VARCHAR NOT NULL,
        branch       VARCHAR NOT NULL,
        branch_type  VARCHAR NOT NULL,      -- 村 | 社区 (the register's type wins over the name's)
        secretary    VARCHAR,
        liaison      VARCHAR,
        team         VARCHAR,
        status       VARCHAR NOT NULL,      -- 在册 | 撤并 | 新设
        source_sheet VARCHAR,
        source_row   INTEGER,
        is_current   BOOLEAN NOT NULL DEFAULT true
    );

    -- register.md §2: declared goals (创建目标), exact levels; township NULL = the county's own goal.
    CREATE TABLE goal (
        upload_id    VARCHAR NOT NULL,
        county       VARCHAR NOT NULL,
        township     VARCHAR,
        goal_5       INTEGER,
        goal_4       INTEGER,
        goal_3       INTEGER,
        due          DATE NOT NULL,         -- the last day of the deadline (2024 -> 2024-12-31)
        due_text     VARCHAR,               -- as written (2024年底)
        source_sheet VARCHAR,
        source_row   INTEGER,
        is_current   BOOLEAN NOT NULL DEFAULT true
    );

    -- cadence.md §2: assessment scores, one row per item plus item '总分' for the total.
    CREATE TABLE assessment (
        upload_id    VARCHAR NOT NULL,
        period       DATE NOT NULL,
        period_kind  VARCHAR NOT NULL,      -- week | month | quarter
        county       VARCHAR NOT NULL,
        township     VARCHAR NOT NULL,
        branch       VARCHAR NOT NULL,
        item         VARCHAR NOT NULL,
        points       DOUBLE,
        assessor     VARCHAR,
        source_sheet VARCHAR,
        source_row   INTEGER,
        is_current   BOOLEAN NOT NULL DEFAULT true
    );

    -- cadence.md §5: year-end acceptance (验收结果); period = 1 January of the year.
    CREATE TABLE award (
        upload_id     VARCHAR NOT NULL,
        period        DATE NOT NULL,
        county        VARCHAR NOT NULL,
        township      VARCHAR NOT NULL,
        branch        VARCHAR NOT NULL,
        awarded_stars INTEGER NOT NULL,
        accepted_at   DATE,
        source_sheet  VARCHAR,
        source_row    INTEGER,
        is_current    BOOLEAN NOT NULL DEFAULT true
    );

    CREATE VIEW v_register AS
    SELECT county, township, branch, branch_type, secretary, liaison, team, status, upload_id
    FROM register WHERE is_current;

    CREATE VIEW v_goal AS
    SELECT county, township, goal_5, goal_4, goal_3, due, due_text, upload_id
    FROM goal WHERE is_current;

    CREATE VIEW v_assessment AS
    SELECT period, period_kind, county, township, branch, item, points, upload_id
    FROM assessment WHERE is_current;

    CREATE VIEW v_award AS
    SELECT CAST(year(period) AS INTEGER) AS year, county, township, branch, awarded_stars,
           accepted_at, upload_id
    FROM award WHERE is_current;
    """,
    # Version 7 (cadence.md §1): weekly ledgers. A weekly ledger is a unit of kind 'week'
    # (period = the Monday of its ISO week), replaced per (week, county, township) and never
    # replacing a month's nor the reverse. A Monday can be the 1st of a month, so the kind is
    # kept on every row (period_kind) and on the upload: no query reads a weekly row as a
    # monthly one. branch_snapshot gains the grains 'week', 'half' and 'year' and, per row,
    # the report it comes from (source_kind, source_period); v_branch_month becomes the
    # snapshot's month rows (a monthly report, else the latest weekly one whose Sunday falls
    # in the month). The snapshot is rebuilt after this SQL (_MIGRATION_STEPS).
    """
    ALTER TABLE uploads ADD COLUMN period_kind VARCHAR DEFAULT 'month';   -- week | month
    ALTER TABLE branch_month ADD COLUMN period_kind VARCHAR DEFAULT 'month';
    ALTER TABLE task ADD COLUMN period_kind VARCHAR DEFAULT 'month';
    ALTER TABLE problem ADD COLUMN period_kind VARCHAR DEFAULT 'month';
    ALTER TABLE weak ADD COLUMN period_kind VARCHAR DEFAULT 'month';
    -- The report a snapshot row comes from: 'month' (source_period = the month) or 'week' (the Monday).
    ALTER TABLE branch_snapshot ADD COLUMN source_kind VARCHAR DEFAULT 'month';
    ALTER TABLE branch_snapshot ADD COLUMN source_period DATE;

    DROP VIEW v_branch_month_detail;
    DROP VIEW v_branch_month;
    DROP VIEW v_task;
    DROP VIEW v_problem;
    DROP VIEW v_weak;

    -- cadence.md §1: per month and branch its monthly report, else its latest weekly report
    -- whose Sunday falls in the month (kept in branch_snapshot by refresh_current);
    -- source_period names the report: '2024-08' or '2024-W35'.
    CREATE VIEW v_branch_month AS
    SELECT period_start AS period, county, township, branch, branch_type, target_stars,
           star_1, star_2, star_3, star_4, star_5, stars,
           tasks_done, tasks_total, open_problems, weak, upload_id,
           CASE WHEN source_kind = 'week' THEN strftime(source_period, '%G-W%V')
                ELSE strftime(source_period, '%Y-%m') END AS source_period
    FROM branch_snapshot
    WHERE grain = 'month';

    -- Weekly reports only; period = the Monday of the ISO week.
    CREATE VIEW v_branch_week AS
    SELECT period, county, township, branch, branch_type, target_stars,
           star_1, star_2, star_3, star_4, star_5, stars,
           tasks_done, tasks_total, open_problems, weak, upload_id
    FROM branch_month
    WHERE is_current AND period_kind = 'week';

    -- Rows of monthly and weekly reports; period_kind says which (a weekly row's period is
    -- its Monday); period_end = the last day of the report's period (month end / Sunday).
    CREATE VIEW v_task AS
    SELECT period, county, township, branch, star_slot, task, measure,
           owner, deadline, done, done_date, upload_id,
           team, star_owner, department, coalesce(accepted, false) AS accepted, accepted_date,
           period_kind,
           CASE WHEN period_kind = 'week' THEN CAST(period + 6 AS DATE) ELSE last_day(period) END AS period_end
    FROM task
    WHERE is_current;

    CREATE VIEW v_problem AS
    SELECT period, county, township, branch, star_slot, problem, measure, owner,
           deadline, closed, closed_date, upload_id, period_kind,
           CASE WHEN period_kind = 'week' THEN CAST(period + 6 AS DATE) ELSE last_day(period) END AS period_end
    FROM problem
    WHERE is_current;

    CREATE VIEW v_weak AS
    SELECT period, county, township, branch, situations, plan, liaison, identified,
           state, cleared, upload_id, period_kind
    FROM weak
    WHERE is_current;

    -- Extra per-row fields the battle map shows (secretary, problems, notes), of monthly and
    -- weekly reports (period_kind).
    CREATE VIEW v_branch_month_detail AS
    SELECT * EXCLUDE (is_current)
    FROM branch_month
    WHERE is_current;
    """,
    # Version 8 (issue 17): the per-star summary of each current report (branch_star, see
    # _BRANCH_STAR_TABLE_SQL), filled from the current rows after this SQL (_MIGRATION_STEPS).
    _BRANCH_STAR_TABLE_SQL,
)

# The tables of per-upload rows whose is_current flag follows the upload's (refresh_current).
ROW_TABLES: tuple[str, ...] = ("branch_month", "task", "problem", "weak")

# The period of units that have none (the register, declared goals).
TIMELESS = date(1900, 1, 1)

_UNIT_KEY = ("period", "county", "township")

# Per kind of unit (upload_scope.kind): the row tables whose is_current follows the unit's,
# and the columns a row shares with its scope row (besides upload_id). A county-wide unit
# (register, goals: township '') matches its rows by county alone.
UNIT_ROWS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "month": tuple((table, _UNIT_KEY) for table in ROW_TABLES),
    # cadence.md §1: a weekly ledger (period = the Monday); its rows are those of its upload.
    "week": tuple((table, _UNIT_KEY) for table in ROW_TABLES),
    "register": (("register", ("county",)),),
    "goals": (("goal", ("county",)),),
    "assessment_week": (("assessment", _UNIT_KEY),),
    "assessment_month": (("assessment", _UNIT_KEY),),
    "assessment_quarter": (("assessment", _UNIT_KEY),),
    "acceptance": (("award", _UNIT_KEY),),
}


def _build_snapshots(con: duckdb.DuckDBPyConnection) -> None:
    _rebuild_branch_snapshot(con)


# Steps run after a migration's SQL, in its transaction (by the version it leads to).
# The snapshot is built by the current code, which needs the columns of version 7: a store
# of version 2 gets the (empty) table at 3 and its rows at 7; the per-star summary its rows at 8.
_MIGRATION_STEPS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    7: _build_snapshots, 8: lambda con: rebuild_branch_star(con),
}

# One writer at a time inside this process (several Streamlit sessions share it).
_WRITE_LOCK = threading.RLock()


class StoreError(RuntimeError):
    """A store problem with a message fit to show a user (Chinese)."""


class StoreLockedError(StoreError):
    pass


def resolve_db_path(db: str | os.PathLike[str] | None = None, settings: Settings | None = None) -> Path:
    if db is not None:
        return Path(db)
    settings = settings or load_settings()
    return Path(settings.db_path)


def _is_lock_error(exc: Exception) -> bool:
    """Another process holds the file, or (same process) a connection with another mode is open."""
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text or "different configuration" in text


def connect(
    db: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store (creating and migrating it when writable).

    A read-only open of a missing file creates it first, so the views always exist.
    """
    settings = settings or load_settings()
    path = resolve_db_path(db, settings)
    if path.exists() and not path.is_file():
        raise StoreError(f"数据库路径 {path} 不是文件（可能是一个文件夹）。请用 --db 指定一个 .duckdb 文件。")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"无法创建数据库所在的文件夹 {path.parent}：{exc.strerror}。") from exc
    if read_only and not path.exists():
        connect(path, settings=settings).close()
    deadline = time.monotonic() + float(settings.lock_timeout_s)
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise StoreError(
                    f"无法打开数据库文件 {path}：{exc}。请确认它是本程序的 DuckDB 数据文件且未损坏。"
                ) from exc
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"数据库文件 {path} 正被另一个程序占用（例如另一次导入正在进行），"
                    f"已等待 {settings.lock_timeout_s} 秒。请稍后重试。"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        try:
            migrate(con)
        except duckdb.Error as exc:
            con.close()
            raise store_failure(exc, path) or StoreError(f"数据库文件 {path} 结构升级失败：{exc}") from exc
        except Exception:
            con.close()
            raise
    else:
        version = schema_version(con)
        if version < SCHEMA_VERSION:
            con.close()
            connect(path, settings=settings).close()
            return connect(path, read_only=True, settings=settings)
    return con


# Errors that mean the file itself is damaged or cannot be written (not a bug in a query).
_FILE_ERRORS = (duckdb.IOException, duckdb.InternalException, duckdb.FatalException, duckdb.SerializationException)
_DISK_FULL_MARKERS = ("No space left on device", "File too large", "Disk quota exceeded", "ENOSPC", "EFBIG")


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the file size limit) is full."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    return isinstance(exc, _FILE_ERRORS) and any(marker in str(exc) for marker in _DISK_FULL_MARKERS)


def store_failure(exc: BaseException, path: str | os.PathLike[str]) -> StoreError | None:
    """The Chinese StoreError for a failure of the store file (disk full, damaged or
    truncated file), or None when ``exc`` is something else (issue 14: no tracebacks)."""
    if not disk_full(exc) and not isinstance(exc, _FILE_ERRORS):
        return None
    if disk_full(exc):
        return StoreError(
            f"无法写入数据库文件 {path}：磁盘空间已满（或超过文件大小限制）。本次操作没有提交，"
            "已有数据不受影响。请清理磁盘空间后重试。"
        )
    return StoreError(
        f"数据库文件 {path} 已损坏或不完整（可能复制中断、磁盘故障或被截断），无法读取。"
        "请停止写入，从备份恢复该文件（或联系管理员）后重试。"
    )


@contextlib.contextmanager
def _translated(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield ``con``; a damaged-file or disk-full error of DuckDB inside becomes a StoreError; always
    closed. (An OSError inside the block, e.g. writing an export, is not the store's and passes.)"""
    try:
        yield con
    except duckdb.Error as exc:
        failure = store_failure(exc, path)
        if failure is None:
            raise
        raise failure from exc
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()


@contextlib.contextmanager
def open_store(
    db: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with open_store(path) as con:`` — short-lived connection, always closed.

    A damaged or truncated file, or a full disk, raises StoreError with a Chinese
    message wherever it shows (opening, or any query inside the block).
    """
    path = resolve_db_path(db, settings)
    if read_only:
        with _translated(_connect_translated(path, True, settings), path) as con:
            yield con
        return
    with _WRITE_LOCK, _translated(_connect_translated(path, False, settings), path) as con:
        yield con


def _connect_translated(path: Path, read_only: bool, settings: Settings | None) -> duckdb.DuckDBPyConnection:
    try:
        return connect(path, read_only=read_only, settings=settings)
    except (duckdb.Error, OSError) as exc:
        failure = store_failure(exc, path)
        if failure is None:
            raise
        raise failure from exc


def checkpoint_at_commit(con: duckdb.DuckDBPyConnection) -> None:
    """Make the next COMMIT of this database checkpoint (issue 14: an accepted upload is in the
    main file when the command returns, so a lost or damaged ``.wal`` loses nothing accepted).

    With a threshold below any upload, DuckDB checkpoints as part of the COMMIT and does not
    write the write-ahead log at all: cheaper than COMMIT then CHECKPOINT, which writes the
    upload twice (measured in docs/decisions.md). Atomic as before: a crash before the new
    header is written leaves the file as it was.

    ZSTD is off for that checkpoint: the only column DuckDB compresses with it is the archived
    file (``archive.content``), and zstd over an .xlsx — deflate-compressed already — cost
    ~40 ms of a city import (a third of its checkpoint) to save ~20% of the archived bytes.
    ``end_checkpoint_at_commit`` restores both settings.
    """
    con.execute("SET checkpoint_threshold = '1KB'")
    con.execute("SET disabled_compression_methods = 'zstd'")


def end_checkpoint_at_commit(con: duckdb.DuckDBPyConnection) -> None:
    """Undo ``checkpoint_at_commit`` (the database may be shared with other connections)."""
    con.execute("RESET checkpoint_threshold")
    con.execute("RESET disabled_compression_methods")


def checkpoint(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> None:
    """CHECKPOINT when a write-ahead log is left (DuckDB skips the checkpoint at commit while
    another transaction of the same database is open); nothing to do otherwise."""
    wal = Path(str(path) + ".wal")
    try:
        if wal.stat().st_size == 0:
            return
    except FileNotFoundError:
        return
    con.execute("CHECKPOINT")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """``with transaction(con):`` — BEGIN; COMMIT on success, ROLLBACK on any exception (also a kill signal)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the transaction may already be aborted
            con.execute("ROLLBACK")
        raise


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> Any:
    """The first column of the first row (None when there is none).

    Uses ``fetchall`` on purpose: a result left half-read by ``fetchone`` keeps the
    connection busy, and DuckDB 2.0 then refuses a later ``con.sql(...)`` with
    ResourceInUseException. Store helpers always read their results to the end.
    """
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The stored schema version (0 for a new file). One direct read of ``meta``: a query
    on information_schema costs ~10 ms on a large store, paid by every open."""
    try:
        value = _scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    except duckdb.CatalogException:  # no meta table yet: a new, empty file
        return 0
    return int(value) if value is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every migration past the stored schema version, each in a transaction."""
    version = schema_version(con)
    if version > len(MIGRATIONS):
        raise StoreError(f"数据库结构版本 {version} 比本程序支持的 {len(MIGRATIONS)} 新，请升级程序。")
    if version < len(MIGRATIONS):
        con.execute("SET enable_progress_bar = false")  # no terminal progress bar from a long migration
    # A new file gets every migration in one transaction (one commit instead of one per
    # version: ~15 ms less for every new store, e.g. a first import); an existing store
    # one transaction per version, as always.
    batches = [list(range(0, len(MIGRATIONS)))] if version == 0 else [[i] for i in range(version, len(MIGRATIONS))]
    for batch in batches:
        con.execute("BEGIN TRANSACTION")
        try:
            for index in batch:
                con.execute(MIGRATIONS[index])
                step = _MIGRATION_STEPS.get(index + 1)
                if step is not None:
                    step(con)
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(batch[-1] + 1)]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    if 0 < version < len(MIGRATIONS):
        # An existing store was changed: write it out now rather than on some later close.
        con.execute("CHECKPOINT")


def store_version(db: str | os.PathLike[str] | None = None, settings: Settings | None = None) -> str:
    """A cheap token that changes whenever the store file changes (for UI caches)."""
    path = resolve_db_path(db, settings)
    parts = []
    for candidate in (path, Path(str(path) + ".wal")):
        try:
            st = candidate.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "|".join(parts)


# --- uploads ---------------------------------------------------------------


@dataclass(frozen=True)
class UploadRecord:
    upload_id: str
    seq: int
    file_name: str
    uploader: str | None
    uploaded_at: datetime
    sha256: str
    size_bytes: int
    period: date
    n_branches: int
    n_tasks: int
    warnings: list[dict[str, Any]]
    skipped_sheets: list[str]
    is_demo: bool
    rolled_back_at: datetime | None
    rolled_back_by: str | None
    scope: list[tuple[str, str]]
    status: str  # 'pending' | 'returned' | 'current' | 'partly_current' | 'superseded' | 'rolled_back'
    state: str = "accepted"  # 'pending' | 'accepted' | 'returned' (the review state, access.md §3)
    submitted_by: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None
    rollback_reason: str | None = None
    kind: str = "ledger"  # uploads.kind: ledger | register | assessment | acceptance
    unit_kind: str = "month"  # upload_scope.kind of its units (UNIT_ROWS): month, week, assessment_quarter, acceptance …
    period_kind: str = "month"  # a ledger's: 'month' | 'week' (a weekly ledger: period = the Monday)

    @property
    def is_register(self) -> bool:
        return self.kind == "register"

    @property
    def grain(self) -> str:
        """The kind of the upload's period: week | month | quarter (scores) | year (acceptance)."""
        if self.kind == "acceptance":
            return "year"
        if self.kind == "assessment":
            return self.unit_kind.removeprefix("assessment_")
        return self.period_kind

    @property
    def period_label(self) -> str:
        """'2024-08', '2024-W35' for a weekly ledger, 2024Q3 / 2024 for scores and acceptance
        (cadence.md); 名册 for a register upload (it has no month)."""
        if self.is_register:
            return "名册"
        return label_of(self.grain, self.period)

    @property
    def period_display(self) -> str:
        """'2024年8月', or '2024年第35周（8.26–9.1）' for a weekly ledger; 名册 for a register."""
        if self.is_register:
            return "名册"
        return Period.of(self.grain, self.period).display

    @property
    def counts(self) -> bool:
        """Its data may be current: accepted and not rolled back."""
        return self.state == "accepted" and self.rolled_back_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "file_name": self.file_name,
            "uploader": self.uploader,
            "uploaded_at": self.uploaded_at.isoformat(timespec="seconds"),
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "period": None if self.is_register else self.period_label,
            "kind": self.kind,
            "scope": [{"county": c, "township": t} for c, t in self.scope],
            "rows": {"branches": self.n_branches, "tasks": self.n_tasks},
            "warnings": self.warnings,
            "skipped_sheets": self.skipped_sheets,
            "is_demo": self.is_demo,
            "rolled_back_at": self.rolled_back_at.isoformat(timespec="seconds") if self.rolled_back_at else None,
            "rolled_back_by": self.rolled_back_by,
            "rollback_reason": self.rollback_reason,
            "status": self.status,
            "state": self.state,
            "submitted_by": self.submitted_by,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat(timespec="seconds") if self.reviewed_at else None,
            "review_reason": self.review_reason,
        }


STATUS_LABELS = {
    "pending": "待审核",
    "returned": "已退回",
    "current": "生效中",
    "partly_current": "部分生效",
    "superseded": "已被替换",
    "rolled_back": "已回滚",
}

# {where}/{limit}: the uploads wanted are picked first, so the scope lists are
# built only for them (the history can hold tens of thousands of uploads).
_UPLOADS_SQL = """
WITH picked AS (
    SELECT * FROM uploads {where} ORDER BY seq DESC {limit}
),
scope AS (
    -- How many of an upload's units it is the current version of (flag kept by refresh_current).
    SELECT s.upload_id,
           list((s.county, s.township) ORDER BY s.county, s.township) AS scope,
           count(*) AS n_units,
           count(*) FILTER (WHERE s.is_current) AS n_current,
           -- The kind of its units (one kind per upload).
           any_value(s.kind) AS unit_kind
    FROM upload_scope s
    WHERE s.upload_id IN (SELECT upload_id FROM picked)
    GROUP BY s.upload_id
),
final AS (
    SELECT u.*, sc.scope, sc.unit_kind,
           CASE
             WHEN u.state = 'pending' THEN 'pending'
             WHEN u.state = 'returned' THEN 'returned'
             WHEN u.rolled_back_at IS NOT NULL THEN 'rolled_back'
             WHEN sc.n_current = sc.n_units THEN 'current'
             WHEN sc.n_current > 0 THEN 'partly_current'
             ELSE 'superseded'
           END AS status
    FROM picked u LEFT JOIN scope sc USING (upload_id)
)
SELECT upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,
       n_branches, n_tasks, warnings, skipped_sheets, is_demo, rolled_back_at,
       rolled_back_by, scope, status, state, submitted_by, reviewed_by, reviewed_at,
       review_reason, rollback_reason, kind, unit_kind, coalesce(period_kind, 'month') AS period_kind
FROM final
ORDER BY seq DESC
"""


def _record(row: tuple[Any, ...]) -> UploadRecord:
    (upload_id, seq, file_name, uploader, uploaded_at, sha, size, period, nb, nt,
     warnings, skipped, is_demo, rb_at, rb_by, scope, status,
     state, submitted_by, reviewed_by, reviewed_at, review_reason, rollback_reason, kind, unit_kind,
     period_kind) = row
    return UploadRecord(
        upload_id=upload_id, seq=seq, file_name=file_name, uploader=uploader,
        uploaded_at=uploaded_at, sha256=sha, size_bytes=size, period=period,
        n_branches=nb, n_tasks=nt,
        warnings=json.loads(warnings) if warnings else [],
        skipped_sheets=json.loads(skipped) if skipped else [],
        is_demo=bool(is_demo), rolled_back_at=rb_at, rolled_back_by=rb_by,
        scope=[(str(c), str(t)) for c, t in (scope or [])],
        status=status, state=state or "accepted", submitted_by=submitted_by, reviewed_by=reviewed_by,
        reviewed_at=reviewed_at, review_reason=review_reason, rollback_reason=rollback_reason,
        kind=kind or "ledger",
        unit_kind=str(unit_kind or "month"),
        period_kind=period_kind,
    )


# Uploads that cover a unit of one county (and township): an account's reach (access.md §1).
_IN_UNIT = "upload_id IN (SELECT upload_id FROM upload_scope WHERE county = ? AND (? IS NULL OR township = ?))"


def _upload_filter(state: str | None, county: str | None, township: str | None,
                   extra: str | None = None) -> tuple[str, list[Any]]:
    clauses: list[str] = [extra] if extra else []
    params: list[Any] = []
    if state is not None:
        clauses.append("state = ?")
        params.append(state)
    if county is not None:
        clauses.append(_IN_UNIT)
        params += [county, township, township]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_uploads(
    con: duckdb.DuckDBPyConnection, *, limit: int | None = None, state: str | None = None,
    county: str | None = None, township: str | None = None,
) -> list[UploadRecord]:
    """Upload history, newest first (optionally only one review state, or one county / township)."""
    where, params = _upload_filter(state, county, township)
    sql = _UPLOADS_SQL.format(where=where, limit=f"LIMIT {int(limit)}" if limit is not None else "")
    return [_record(r) for r in con.execute(sql, params or None).fetchall()]


# An upload is in force when it was accepted and not rolled back (pending and returned never count).
IN_FORCE = "state = 'accepted' AND rolled_back_at IS NULL"


def count_uploads(
    con: duckdb.DuckDBPyConnection, *, in_force_only: bool = False,
    county: str | None = None, township: str | None = None,
) -> int:
    """How many uploads the history holds (optionally only those in force, or of one county / township)."""
    where, params = _upload_filter(None, county, township, IN_FORCE if in_force_only else None)
    return int(_scalar(con, f"SELECT count(*) FROM uploads {where}", params or None) or 0)


def last_upload_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the data in force last changed by an upload (pending ones do not count)."""
    value = _scalar(con, f"SELECT max(coalesce(reviewed_at, uploaded_at)) FROM uploads WHERE {IN_FORCE}")
    return value if isinstance(value, datetime) else None


def get_upload(con: duckdb.DuckDBPyConnection, upload_id: str) -> UploadRecord | None:
    rows = con.execute(_UPLOADS_SQL.format(where="WHERE upload_id = ?", limit=""), [upload_id]).fetchall()
    return _record(rows[0]) if rows else None


def archived_bytes(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes | None:
    content = _scalar(con, "SELECT content FROM archive WHERE sha256 = ?", [sha256])
    return bytes(content) if content is not None else None


_DUPLICATE_CANDIDATES_SQL = """
-- Business rule (§6): byte-identical content for the same period that is still in
-- force is a no-op; the scope is compared in Python (find_current_duplicate).
SELECT upload_id FROM uploads
WHERE sha256 = ? AND period = ? AND coalesce(period_kind, 'month') = ? AND rolled_back_at IS NULL
  AND state <> 'returned'
ORDER BY seq DESC
"""


def find_current_duplicate(
    con: duckdb.DuckDBPyConnection, sha256: str, period: date, scope: list[tuple[str, str]],
    period_kind: str = "month",
) -> str | None:
    """An upload with the same bytes, period (and kind: a week is not the month starting the
    same day) and scope that is fully in force, or waiting for review (§6 no-op: the same file
    submitted twice is one submission)."""
    wanted = sorted(scope)
    for (upload_id,) in con.execute(_DUPLICATE_CANDIDATES_SQL, [sha256, period, period_kind]).fetchall():
        rec = get_upload(con, upload_id)
        if rec is not None and rec.status in ("current", "pending") and sorted(rec.scope) == wanted:
            return rec.upload_id
    return None


def next_upload_id(con: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    """The next (upload_id, seq): 'U00001', 'U00002', … in load order (call inside the write transaction)."""
    value = _scalar(
        con,
        "SELECT greatest(coalesce(max(seq), 0),"
        " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq_floor'), 0)) + 1 FROM uploads",
    )
    seq = int(value) if value is not None else 1
    return f"U{seq:05d}", seq


def current_upload_for(
    con: duckdb.DuckDBPyConnection, period: date, county: str, township: str, kind: str = "month"
) -> str | None:
    """The upload currently in force for one (period, county, township) of ``kind`` ('month',
    'week': period = the Monday), or None."""
    value = _scalar(
        con,
        "SELECT upload_id FROM upload_scope WHERE is_current AND kind = ? AND period = ? AND county = ?"
        " AND township = ?",
        [kind, period, county, township],
    )
    return str(value) if value is not None else None


# --- the current version (is_current) ----------------------------------------

# Business rule (§6): per (period, county, township) the latest upload (highest
# seq) that has not been rolled back is the current version. Recomputed for the
# units listed in _units; only flags that change are written.
_REFRESH_SCOPE_SQL = """
UPDATE upload_scope s
SET is_current = coalesce(s.upload_id = w.upload_id, false)
FROM (
    WITH live AS (
        -- Only accepted uploads that were not rolled back can be current (access.md §3).
        SELECT s.period, s.county, s.township, s.upload_id, coalesce(u.accepted_seq, u.seq) AS accepted_seq
        FROM upload_scope s
        JOIN uploads u USING (upload_id)
        JOIN _units t ON t.period = s.period AND t.county = s.county AND t.township = s.township
        WHERE s.kind = $kind AND u.state = 'accepted' AND u.rolled_back_at IS NULL
    ),
    final AS (
        -- A unit with no upload in force gets upload_id NULL: none of its versions is current.
        -- The latest ACCEPTED version wins (acceptance order, not submission order).
        SELECT t.period, t.county, t.township, arg_max(l.upload_id, l.accepted_seq) AS upload_id
        FROM _units t
        LEFT JOIN live l ON l.period = t.period AND l.county = t.county AND l.township = t.township
        GROUP BY t.period, t.county, t.township
    )
    SELECT * FROM final
) w
WHERE s.kind = $kind AND s.period = w.period AND s.county = w.county AND s.township = w.township
  AND s.is_current IS DISTINCT FROM coalesce(s.upload_id = w.upload_id, false)
"""

# A row is current exactly when its upload is the current version of its unit.
# {on}: the columns a row shares with its scope row (UNIT_ROWS); {range}: for dated
# rows, the period range lets the scan skip row groups of other months.
_REFRESH_ROWS_SQL = """
UPDATE {table} r
SET is_current = s.is_current
FROM upload_scope s
JOIN _units t ON t.period = s.period AND t.county = s.county AND t.township = s.township
WHERE s.kind = $kind AND r.upload_id = s.upload_id {on} {range}
  AND r.is_current <> s.is_current
"""


def _refresh_rows_sql(table: str, keys: tuple[str, ...]) -> str:
    on = "".join(f" AND r.{k} = s.{k}" for k in keys)
    period_range = "AND r.period BETWEEN $first AND $last" if "period" in keys else ""
    return _REFRESH_ROWS_SQL.format(table=table, on=on, range=period_range)


def _unit_table(units: list[tuple[date, str, str]]) -> pa.Table:
    return pa.table(
        {
            "period": pa.array([u[0] for u in units], pa.date32()),
            "county": pa.array([u[1] for u in units], pa.string()),
            "township": pa.array([u[2] for u in units], pa.string()),
        }
    )


def _month_of_week(monday: date) -> date:
    """The month a week counts in (cadence.md §1): the month of its Sunday."""
    return (monday + timedelta(days=6)).replace(day=1)


def refresh_current(
    con: duckdb.DuckDBPyConnection,
    units: list[tuple[date, str, str]],
    *,
    first_version: bool = False,
    new_tasks: str | None = None,
    kind: str = "month",
) -> None:
    """Recompute ``is_current`` for these (period, county, township) units of one kind.

    Call inside the transaction that changed which upload is in force for them
    (a load, a rollback, deleting demo uploads), after the change.
    ``first_version``: a load that replaced no upload in force — its rows were
    written current (the column's default) and no other row of these units is,
    so only the snapshot table needs refreshing.
    ``new_tasks``: a load of one month — the name of a registered relation holding
    its task rows (county, township, branch, deadline, done), which are exactly the
    current monthly task rows of these units now; the snapshot refresh reads them there.
    ``kind``: the kind of unit (``UNIT_ROWS``); the snapshot follows monthly and weekly
    ledgers (a week's units: period = the Monday; they rewrite their weeks and the
    months holding their Sundays).
    """
    if not units:
        return
    distinct = sorted(set(units))
    table = _unit_table(distinct)
    bounds = {"first": min(u[0] for u in distinct), "last": max(u[0] for u in distinct)}
    if not first_version:
        con.register("_units", table)
        try:
            con.execute(_REFRESH_SCOPE_SQL, {"kind": kind})
            for name, keys in UNIT_ROWS[kind]:
                params: dict[str, Any] = {"kind": kind, **bounds} if "period" in keys else {"kind": kind}
                con.execute(_refresh_rows_sql(name, keys), params)
        finally:
            con.unregister("_units")
    if kind in ("month", "week"):
        _refresh_branch_star(con, table, kind, bounds)
    if kind == "week":
        months = sorted({(_month_of_week(p), c, t) for p, c, t in distinct})
        _refresh_snapshots(con, _unit_table(months), table)
        return
    if kind != "month":
        return
    loaded: tuple[date, str] | None = None  # (the one month loaded, its task rows)
    if new_tasks is not None and bounds["first"] == bounds["last"]:
        loaded = (bounds["first"], new_tasks)
    _refresh_snapshots(con, table, None, loaded)


def _refresh_branch_star(con: duckdb.DuckDBPyConnection, units: pa.Table, kind: str, bounds: dict[str, date]) -> None:
    """Rewrite the ``branch_star`` rows of these (period, county, township) units of ``kind``
    ('month' | 'week') from their current task and problem rows."""
    params = {"kind": kind, **bounds}
    con.register("_star_units", units)
    try:
        con.execute(_BRANCH_STAR_DELETE_SQL, params)
        con.execute(_BRANCH_STAR_SQL.format(
            join_t=_STAR_UNIT_JOIN.format(a="t"), where_t=_STAR_UNIT_WHERE.format(a="t"),
            join_p=_STAR_UNIT_JOIN.format(a="p"), where_p=_STAR_UNIT_WHERE.format(a="p"), order=""), params)
    finally:
        con.unregister("_star_units")


def rebuild_branch_star(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the whole ``branch_star`` table from the current task and problem rows (for
    ``rebuild_snapshots`` and the migration to schema version 8)."""
    con.execute("DELETE FROM branch_star")
    con.execute(_BRANCH_STAR_SQL.format(join_t="", where_t="", join_p="", where_p="", order=_BRANCH_STAR_ORDER))


def _refresh_snapshots(
    con: duckdb.DuckDBPyConnection,
    units: pa.Table,
    weeks: pa.Table | None,
    new_tasks: tuple[date, str] | None = None,
) -> None:
    """Rewrite the ``branch_snapshot`` rows of these units' weeks, months and the quarters,
    half-years and years holding the months.

    ``units``: (month, county, township); ``weeks``: (Monday, county, township) or None.
    A (county, township) unit's snapshot rows depend only on that unit's current
    rows, so rewriting them per unit is exact. The later months (and weeks) of a
    rewritten unit are rewritten too (their stagnation run and in_prev follow from
    it; none when the latest one is loaded). Weeks, then months in calendar order,
    then the derived periods (taken from the month rows) in calendar order, then the
    next-period flags of the units' rows and the name order of every period written.
    """
    weeks = weeks if weeks is not None else _unit_table([])
    first = min(units.column("period").to_pylist())
    con.register("_snap_units", units)
    try:
        later = con.execute(_LATER_UNITS_SQL, {"first": first}).fetchall()
    finally:
        con.unregister("_snap_units")
    if later:
        units = pa.concat_tables([units, _unit_table([(r[0], r[1], r[2]) for r in later])])
    if weeks.num_rows:
        con.register("_snap_weeks", weeks)
        try:
            first_week = min(weeks.column("period").to_pylist())
            later_weeks = con.execute(_LATER_WEEKS_SQL, {"first_week": first_week}).fetchall()
        finally:
            con.unregister("_snap_weeks")
        if later_weeks:
            weeks = pa.concat_tables([weeks, _unit_table([(r[0], r[1], r[2]) for r in later_weeks])])
    months = sorted(set(units.column("period").to_pylist()))
    week_starts = sorted(set(weeks.column("period").to_pylist()))
    lo = min([date(months[0].year, 1, 1), *week_starts[:1]])
    hi = max([months[-1], *week_starts[-1:]])
    con.register("_snap_units", units)
    con.register("_snap_weeks", weeks)
    try:
        written = _WRITTEN_SQL.format(units="_snap_units", weeks="_snap_weeks")
        con.execute(_SNAPSHOT_DELETE_SQL.format(written=written), {"lo": lo, "hi": hi})
        _write_snapshots(con, "_snap_units", months, "_snap_weeks", week_starts, new_tasks)
        for grain, start in con.execute(_SNAPSHOT_MIXED_PERIODS_SQL.format(written=written)).fetchall():
            con.execute(_SNAPSHOT_NAME_ORDER_SQL, {"grain": grain, "start": start})
    finally:
        con.unregister("_snap_units")
        con.unregister("_snap_weeks")


def _derived_starts(months: list[date]) -> list[tuple[str, date, int]]:
    """(grain, first day, months spanned) of the quarters, half-years and years holding ``months``,
    each grain in calendar order."""
    out: list[tuple[str, date, int]] = []
    for grain, span in (("quarter", 3), ("half", 6), ("year", 12)):
        starts = sorted({date(m.year, (m.month - 1) // span * span + 1, 1) for m in months})
        out += [(grain, start, span) for start in starts]
    return out


def _write_snapshots(
    con: duckdb.DuckDBPyConnection, units: str, months: list[date], weeks: str, week_starts: list[date],
    new_tasks: tuple[date, str] | None = None,
) -> None:
    """Insert the week rows of ``weeks``, then the month rows, then the quarter, half-year and
    year rows of ``units`` (each a table name or subquery of (period, county, township)), each
    period in calendar order; then set in_next.

    ``new_tasks``: (month, relation) — that month's units' current monthly task rows are the relation's.
    """
    for week in week_starts:  # calendar order: a week's run and in_prev follow from the week before
        con.execute(_SNAPSHOT_WEEKS_SQL.format(weeks=weeks), {"week": week})
    for month in months:  # calendar order: a month's stagnation run and in_prev follow from the month before
        if new_tasks is not None and new_tasks[0] == month:
            tasks = _LOADED_TASKS_SQL.format(relation=new_tasks[1])
        else:
            tasks = _UNIT_TASKS_SQL
        con.execute(_SNAPSHOT_MONTHS_SQL.format(units=units, tasks=tasks), {"month": month})
    # The quarters, half-years and years in rounds: the k-th period of each grain together
    # (one round for a single month), each round after the periods before it.
    by_grain: dict[str, list[tuple[date, int]]] = {}
    for grain, start, span in _derived_starts(months):
        by_grain.setdefault(grain, []).append((start, span))
    for k in range(max((len(v) for v in by_grain.values()), default=0)):
        rounds = [(g, v[k][0], v[k][1]) for g, v in by_grain.items() if k < len(v)]
        con.register("_derived_periods", pa.table({
            "grain": pa.array([r[0] for r in rounds], pa.string()),
            "start": pa.array([r[1] for r in rounds], pa.date32()),
            "span": pa.array([r[2] for r in rounds], pa.int32()),
        }))
        try:
            con.execute(_SNAPSHOT_DERIVED_SQL.format(units=units))
        finally:
            con.unregister("_derived_periods")
    # in_next (written false): nothing to set when one month (one quarter, half, year) and at
    # most one week were written and the units have no rows before them (a store's first load).
    if len(months) > 1 or len(week_starts) > 1 or (
        months and _scalar(con, _SNAPSHOT_BEFORE_SQL.format(units=units), {
            "first": months[0], "first_week": week_starts[0] if week_starts else months[0]})
    ):
        con.execute(_SNAPSHOT_NEXT_SQL.format(units=units, weeks=weeks))


def rebuild_snapshots(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the whole ``branch_snapshot`` table and the per-star summary ``branch_star``
    from the current rows.

    For code that writes the internal tables directly instead of through a load
    (the test factory, the benchmark generator). Call it inside the transaction that
    wrote the rows.
    """
    _rebuild_branch_snapshot(con)
    rebuild_branch_star(con)


def _rebuild_branch_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the whole ``branch_snapshot`` table from the current rows (also the migration to
    schema version 7). Every period is written whole, so its name order needs no renumbering."""
    con.execute("DELETE FROM branch_snapshot")
    months = [r[0] for r in con.execute(f"SELECT DISTINCT period FROM {_ALL_CURRENT_UNITS} ORDER BY period").fetchall()]
    weeks = [r[0] for r in con.execute(f"SELECT DISTINCT period FROM {_ALL_CURRENT_WEEKS} ORDER BY period").fetchall()]
    _write_snapshots(con, _ALL_CURRENT_UNITS, months, _ALL_CURRENT_WEEKS, weeks)


def _units_of(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[tuple[date, str, str]]:
    """The monthly-ledger units of the uploads ``where`` selects."""
    return [
        (r[0], str(r[1]), str(r[2]))
        for r in con.execute(
            f"SELECT period, county, township FROM upload_scope WHERE kind = 'month' AND ({where})", params
        ).fetchall()
    ]


def refresh_uploads(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> None:
    """Recompute ``is_current`` for every unit (of every kind) of the uploads ``where`` selects.

    For a change of which upload is in force that is not a load: acceptance, rollback,
    deleting demo uploads. Call inside its transaction, after the change (and before
    deleting scope rows, use the units gathered first with ``units_by_kind``).
    """
    for kind, units in units_by_kind(con, where, params).items():
        refresh_current(con, units, kind=kind)


def units_by_kind(
    con: duckdb.DuckDBPyConnection, where: str, params: list[Any]
) -> dict[str, list[tuple[date, str, str]]]:
    """The units of the uploads ``where`` selects, by kind (monthly ledgers first)."""
    out: dict[str, list[tuple[date, str, str]]] = {}
    rows = con.execute(
        f"SELECT kind, period, county, township FROM upload_scope WHERE {where} "
        "ORDER BY kind <> 'month', kind, period, county, township", params
    ).fetchall()
    for kind, period, county, township in rows:
        out.setdefault(str(kind), []).append((period, str(county), str(township)))
    return out


def rollback(
    con: duckdb.DuckDBPyConnection, upload_id: str, *, by: str | None = None, actor: Actor | None = None,
    reason: str | None = None,
) -> UploadRecord:
    """Withdraw an upload; the previous version of each unit it covered is current again.

    Rolling back only marks the upload (rows and archived bytes stay, so history
    keeps it); rolling back the same upload twice is an error. The mark and the
    ``is_current`` flags of its units change in one transaction.
    """
    upload_id = upload_id.strip().upper()
    rec = get_upload(con, upload_id)
    if rec is None:
        raise StoreError(f"找不到上传记录 {upload_id}。用 `python -m analytics uploads` 查看上传历史。")
    if rec.rolled_back_at is not None:
        raise StoreError(
            f"上传 {upload_id} 已于 {rec.rolled_back_at:%Y-%m-%d %H:%M} 回滚过，不能重复回滚。"
            "如需恢复这份数据，请重新上传该文件。"
        )
    if rec.state != "accepted":
        raise StoreError(
            f"上传 {upload_id} {STATUS_LABELS.get(rec.status, rec.status)}，没有生效过，不能回滚"
            "（待审核的报送由县区审核通过或退回）。"
        )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "UPDATE uploads SET rolled_back_at = ?, rolled_back_by = ?, rollback_reason = ?"
            " WHERE upload_id = ? AND rolled_back_at IS NULL",
            [datetime.now().replace(microsecond=0), by or (actor.label if actor else None), reason, upload_id],
        )
        # Its units of every kind (a score or acceptance upload has no monthly unit): the audit event's place.
        units = [u for kind_units in units_by_kind(con, "upload_id = ?", [upload_id]).values() for u in kind_units]
        refresh_uploads(con, "upload_id = ?", [upload_id])
        where = audit.place([(c, t) for _, c, t in units], rec.period, rec.period_kind)
        if rec.is_register:  # register.md: a register has counties, no township or month
            counties = sorted({c for c, _ in rec.scope})
            where = audit.Place(county=counties[0] if len(counties) == 1 else None, township=None, period=None)
        audit.record(con, actor or audit.web_actor(by), "upload_rolled_back", object=upload_id, **where,
                     details={"file": rec.file_name, "by": by, "reason": reason, "kind": rec.kind})
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    updated = get_upload(con, upload_id)
    assert updated is not None
    return updated


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return not _scalar(con, "SELECT count(*) FROM uploads")


def has_demo_data(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(_scalar(con, "SELECT count(*) FROM uploads WHERE is_demo"))


def clear_demo(con: duckdb.DuckDBPyConnection, *, actor: Actor | None = None) -> int:
    """Delete every demo upload with its rows and archived bytes; returns how many.

    Also records that the demo data was cleared on purpose (``demo_cleared_at``),
    so ``init-demo`` does not bring it back into an empty store, and remembers
    the highest upload number so ids of deleted demo uploads are never reused.
    """
    from analytics import access

    actor = actor or audit.cli_actor()
    access.require_admin(actor, "清除示例数据")
    ids = [r[0] for r in con.execute("SELECT upload_id FROM uploads WHERE is_demo").fetchall()]
    con.execute("BEGIN TRANSACTION")
    try:
        # Units a demo upload covered: once it is gone, an older real version may be current again.
        touched = units_by_kind(con, "upload_id IN (SELECT upload_id FROM uploads WHERE is_demo)", [])
        con.execute(
            "INSERT OR REPLACE INTO meta SELECT 'seq_floor', CAST(coalesce(max(seq), 0) AS VARCHAR) FROM uploads"
        )
        row_tables = dict.fromkeys(t for rows in UNIT_ROWS.values() for t, _ in rows)
        for table in (*row_tables, "upload_scope"):
            con.execute(f"DELETE FROM {table} WHERE upload_id IN (SELECT upload_id FROM uploads WHERE is_demo)")
        # An archived file is kept while a real (non-demo) upload still refers to it.
        con.execute(
            "DELETE FROM archive WHERE sha256 IN (SELECT sha256 FROM uploads WHERE is_demo) "
            "AND sha256 NOT IN (SELECT sha256 FROM uploads WHERE NOT is_demo)"
        )
        con.execute("DELETE FROM uploads WHERE is_demo")
        # The demo accounts go with the demo data (their audit events stay: the log is append-only).
        con.execute("DELETE FROM account WHERE is_demo")
        for kind, units in touched.items():
            refresh_current(con, units, kind=kind)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('demo_cleared_at', ?)",
            [datetime.now().replace(microsecond=0).isoformat(sep=" ")],
        )
        audit.record(con, actor, "demo_cleared", details={"uploads": len(ids)})
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    if ids:
        con.execute("CHECKPOINT")
    return len(ids)


def demo_cleared_at(con: duckdb.DuckDBPyConnection) -> str | None:
    """When the demo data was last cleared ('YYYY-MM-DD HH:MM:SS'), or None if never.

    ``init-demo`` does not reload the samples into a store whose demo data was
    cleared on purpose (unless forced).
    """
    value = _scalar(con, "SELECT value FROM meta WHERE key = 'demo_cleared_at'")
    return str(value) if value is not None else None
