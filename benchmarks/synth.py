"""Synthetic multi-month history written straight into a store with DuckDB SQL.

``build_history(path, n_branches=52_000, n_months=36, ...)`` creates the store
with ``analytics.store.connect`` (the real schema and views) and fills its
internal tables ``uploads``, ``upload_scope``, ``branch_month`` and ``task`` with
``INSERT … SELECT`` over ``generate_series`` — no Python loop over rows — so that
``v_branch_month`` / ``v_task`` show it exactly as if the importer had loaded one
upload per (period, county, township); then ``analytics.store.rebuild_snapshots``
fills the per-period snapshot table the analytics read.

Shape (deterministic for a seed):
* counties of ~20 townships, townships of 5–40 branches (街道 mostly 社区, 乡镇 mostly 村);
  names are invented and carry a county number ("甲017县"), so no real unit is named;
* star pyramid in the first month ≈ 2.5% 五星, 10% 四星, 30% 三星, rest ≤ 二星, drifting
  upward ~8 points a year; ~1% of branch-months drop a star for that month (降星);
  支部过硬星 is usually the last star earned; per-slot statuses consistent with ``stars``;
* target_stars 3/4/5 (10% undeclared); tasks 29 (村) / 27 (社区); ~10% of branches stall
  (same tasks_done month after month);
* ~0.3% of branch-months are missing (未报送), and ~0.5% of townships skip the last month;
* task rows (one per task, deadlines spread over the year, done in deadline order with a
  small rotation) for the last ``task_months`` months; ``tasks_done`` equals the number of
  done task rows in those months.
* battle-map.md (issue 17) for the same months: tasks carry a team, star owner and department, ~60%
  of done tasks are accepted; every branch-month has ``open_problems`` open problem rows plus 0–2
  closed ones (varied texts, deadlines, owners); weak branches have a rectification row (整顿中) and
  ~1% of the others one that was cleared (已销号).

A sidecar ``<store>.json`` records the parameters, the generator version and the
store's schema version; ``ensure_history`` reuses the file while they all match.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

GENERATOR_VERSION = 7  # 4: fills the branch_snapshot table (schema version 3); 5: its prev/next/name-order columns;
# 6: optional weekly ledgers (n_weeks, schema version 7); 7: battle-map.md rows — task team / star owner /
# department / acceptance, problem lists, weak records

COUNTY_FIRST = "甲乙丙丁戊己庚辛壬癸"  # county "甲017县": clearly not a real county
TOWN_A = "东西南北上下前后中新老大小高长白"
TOWN_B = "营集庄店坡岗桥寨湾屯楼铺堡口沟坪"
BRANCH_A = "青石柳安平清桃杏云松梅竹兰枫槐榆杨枣李杉"
BRANCH_B = "山河川阳泉林源丰宁原岭溪湖塘峰台园坊湾滩"
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳敏静强磊军洋勇艳"


@dataclass(frozen=True)
class HistoryParams:
    n_branches: int
    n_months: int
    end_period: str  # "YYYY-MM", the latest month
    task_months: int  # task rows for the latest N months
    seed: int = 0
    # cadence.md §1: weekly ledgers of every branch for the last n_weeks ISO weeks (those whose
    # Sunday falls on or before the end of end_period); the townships of weekly_only_share send
    # no monthly ledger for the last weekly_only_months months (the month view falls back to
    # their latest week there).
    n_weeks: int = 0
    weekly_only_share: float = 0.0
    weekly_only_months: int = 0


def _u(*parts: str) -> str:
    """SQL for a deterministic uniform number in [0, 1) from the given SQL expressions."""
    key = " || ':' || ".join(f"CAST({p} AS VARCHAR)" for p in parts)
    return f"(hash({key} || ':' || CAST($seed AS VARCHAR)) % 1000000) / 1000000.0"


def _chars(s: str) -> str:
    return "[" + ", ".join(f"'{c}'" for c in s) + "]"


def _first_month(p: HistoryParams) -> date:
    year, month = (int(x) for x in p.end_period.split("-"))
    idx = year * 12 + (month - 1) - (p.n_months - 1)
    return date(idx // 12, idx % 12 + 1, 1)


# Business shape of the synthetic data; every statement below is one step.
_BRANCHES_SQL = f"""
CREATE OR REPLACE TEMP TABLE syn_branch AS
WITH tw AS (
    -- townships of 5..40 branches; ~20% are urban 街道
    SELECT i AS tw_id,
           5 + CAST(hash('tw:' || i || ':' || $seed) % 36 AS INTEGER) AS n_br,
           {_u("'street'", "i")} < 0.2 AS is_street
    FROM generate_series(0, $n_branches) g(i)
),
cum AS (
    SELECT *, CAST(sum(n_br) OVER (ORDER BY tw_id) - n_br AS BIGINT) AS first_branch FROM tw
),
kept AS (
    SELECT tw_id, CAST(least(n_br, $n_branches - first_branch) AS BIGINT) AS n_br, is_street, first_branch,
           tw_id // 20 AS county_id, tw_id % 20 AS tw_local
    FROM cum WHERE first_branch < $n_branches
),
br AS (
    SELECT k.*, unnest(range(k.n_br)) AS br_local FROM kept k
),
typed AS (
    SELECT *, first_branch + br_local AS b_id,
           -- 街道 are mostly 社区, 乡镇 mostly 村
           CASE WHEN {_u("'type'", "tw_id", "br_local")} < (CASE WHEN is_street THEN 0.7 ELSE 0.05 END)
                THEN '社区' ELSE '村' END AS branch_type
    FROM br
),
final AS (
    SELECT b_id, tw_id, county_id, branch_type,
           {_chars(COUNTY_FIRST)}[1 + county_id % 10] || lpad(CAST(county_id AS VARCHAR), 3, '0') || '县'
               AS county,
           {_chars(TOWN_A)}[1 + tw_local % 16] || {_chars(TOWN_B)}[1 + (tw_local // 16 + county_id) % 16]
               || CASE WHEN is_street THEN '街道' ELSE '镇' END AS township,
           {_chars(BRANCH_A)}[1 + br_local % 20] || {_chars(BRANCH_B)}[1 + (br_local // 20 + tw_id) % 20]
               || branch_type AS branch,
           {_chars(SURNAMES)}[1 + b_id % 10] || {_chars(GIVEN)}[1 + (b_id // 10) % 10] AS secretary,
           {_u("'ability'", "b_id")} AS ability,
           {_u("'target'", "b_id")} AS target_draw,
           {_u("'stall'", "b_id")} < 0.10 AS stalls,
           CAST(hash('order:' || b_id || ':' || $seed) % 4 AS INTEGER) AS slot_rot,
           {_u("'hard_first'", "b_id")} < 0.2 AS hard_first,
           CASE WHEN branch_type = '村' THEN 29 ELSE 27 END AS tasks_total
    FROM typed
)
SELECT * FROM final
"""


def _slot_rank(slot: int) -> str:
    """Order in which a branch earns its stars: 支部过硬星 (slot 1) last for ~80%."""
    other = f"((({slot} - 2) + slot_rot) % 4)"
    if slot == 1:
        return "CASE WHEN hard_first THEN 0 ELSE 4 END"
    return f"(CASE WHEN hard_first THEN 1 ELSE 0 END + {other})"


def _slot_status(slot: int) -> str:
    rank = _slot_rank(slot)
    blank = _u("'blank'", "b_id", "m_idx", str(slot))
    return (
        f"CASE WHEN {rank} < stars THEN 'achieved' "
        f"WHEN {blank} < 0.002 THEN NULL "
        f"WHEN {rank} < stars + 1 + CAST(hash('ip:' || b_id || ':{slot}') % 2 AS INTEGER) THEN 'in_progress' "
        f"ELSE 'not_started' END"
    )


_MONTHS_SQL = f"""
CREATE OR REPLACE TEMP TABLE syn_bm AS
WITH months AS (
    SELECT m_idx, CAST($first_month + to_months(CAST(m_idx AS INTEGER)) AS DATE) AS period
    FROM generate_series(0, $n_months - 1) g(m_idx)
),
grid AS (
    SELECT b.*, m.m_idx, m.period FROM syn_branch b CROSS JOIN months m
),
present AS (
    -- ~0.3% of branch-months are not reported; ~0.5% of townships skip the last month
    SELECT * FROM grid
    WHERE {_u("'miss'", "b_id", "m_idx")} >= 0.003
      AND NOT (m_idx = $n_months - 1 AND {_u("'twmiss'", "tw_id")} < 0.005)
),
leveled AS (
    SELECT *,
           ability + 0.08 * m_idx / 12.0 AS x,
           {_u("'drop'", "b_id", "m_idx")} < 0.01 AS drops
    FROM present
),
starred AS (
    SELECT *,
           -- first-month pyramid ≈ 2.5% 五星, 10% 四星, 30% 三星, drifting upward
           greatest(0, (CASE WHEN x >= 0.975 THEN 5 WHEN x >= 0.875 THEN 4 WHEN x >= 0.575 THEN 3
                             WHEN x >= 0.30 THEN 2 WHEN x >= 0.12 THEN 1 ELSE 0 END)
                       - CASE WHEN drops THEN 1 ELSE 0 END) AS stars
    FROM leveled
),
final AS (
    SELECT *,
           {_slot_status(1)} AS star_1,
           {_slot_status(2)} AS star_2,
           {_slot_status(3)} AS star_3,
           {_slot_status(4)} AS star_4,
           {_slot_status(5)} AS star_5,
           CASE WHEN target_draw < 0.10 THEN NULL WHEN ability >= 0.75 THEN 5
                WHEN ability >= 0.45 THEN 4 ELSE 3 END AS target_stars,
           -- tasks done grow through the year; stalled branches freeze at their start value
           CAST(least(tasks_total, round(tasks_total * least(1.0,
                0.25 + 0.45 * ability
                + CASE WHEN stalls THEN 0 ELSE 0.05 * (month(period) - 1) END))) AS INTEGER) AS tasks_done,
           CAST(hash('prob:' || b_id || ':' || m_idx) % 4 AS INTEGER) AS open_problems,
           {_u("'weak'", "b_id")} < 0.02 AS weak
    FROM starred
)
SELECT * FROM final
"""

# Weekly reports (cadence.md §1): each week shows the branch's row of the month holding its
# Sunday, with tasks done catching up through the month (no task rows: a week's task sheet
# is not generated). Then the monthly rows of the weekly-only townships' last months are dropped.
_WEEKS_SQL = """
CREATE OR REPLACE TEMP TABLE syn_week AS
WITH weeks AS (
    SELECT CAST($last_sunday - INTERVAL (7 * w + 6) DAY AS DATE) AS monday, w
    FROM generate_series(0, $n_weeks - 1) g(w)
),
placed AS (
    SELECT monday, CAST(date_trunc('month', monday + 6) AS DATE) AS month,
           -- which of the month's weeks (1 = the first whose Sunday falls in it)
           CAST((day(monday + 6) - 1) // 7 + 1 AS INTEGER) AS nth
    FROM weeks
),
final AS (
    SELECT b.* EXCLUDE (tasks_done), p.monday,
           CAST(greatest(0, b.tasks_done - CASE WHEN b.stalls THEN 0 ELSE 4 - least(p.nth, 4) END) AS INTEGER)
               AS tasks_done
    FROM syn_bm b JOIN placed p ON p.month = b.period
)
SELECT * FROM final
"""

_WEEKLY_ONLY_SQL = f"""
DELETE FROM syn_bm
WHERE m_idx >= $n_months - $weekly_only_months AND {_u("'weekonly'", "tw_id")} < $weekly_only_share
"""

_WEEK_UPLOADS_SQL = """
CREATE OR REPLACE TEMP TABLE syn_week_upload AS
WITH units AS (
    SELECT monday, county_id, tw_id, any_value(county) AS county, any_value(township) AS township,
           count(*) AS n_branches
    FROM syn_week GROUP BY monday, county_id, tw_id
),
final AS (
    SELECT (SELECT max(seq) FROM syn_upload) + row_number() OVER (ORDER BY monday, county_id, tw_id) AS seq, *
    FROM units
)
SELECT printf('U%07d', seq) AS upload_id, * FROM final
"""

_INSERT_WEEK_UPLOADS_SQL = """
INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,
                     n_branches, n_tasks, warnings, skipped_sheets, is_demo, period_kind)
SELECT upload_id, seq,
       county || township || strftime(monday, '%G年第%V周') || '工作进度台账.xlsx',
       '基准测试', CAST(monday + INTERVAL 7 DAY AS TIMESTAMP),
       sha256(upload_id), 6000 + 150 * n_branches, monday, n_branches, 0, '[]', '[]', false, 'week'
FROM syn_week_upload ORDER BY seq
"""

_INSERT_WEEK_SCOPE_SQL = """
INSERT INTO upload_scope (upload_id, kind, period, county, township)
SELECT upload_id, 'week', monday, county, township FROM syn_week_upload ORDER BY seq
"""

_INSERT_WEEK_BM_SQL = """
INSERT INTO branch_month (upload_id, period, period_kind, county, township, branch, branch_type, target_stars,
                          star_1, star_2, star_3, star_4, star_5, stars, stars_reported,
                          tasks_done, tasks_total, open_problems, problems, weak, secretary, notes,
                          source_sheet, source_row)
SELECT u.upload_id, b.monday, 'week', b.county, b.township, b.branch, b.branch_type, b.target_stars,
       b.star_1, b.star_2, b.star_3, b.star_4, b.star_5, b.stars, NULL,
       b.tasks_done, b.tasks_total, b.open_problems, NULL, b.weak, b.secretary, NULL,
       '周进度台账', 4 + row_number() OVER (PARTITION BY u.upload_id ORDER BY b.b_id)
FROM syn_week b JOIN syn_week_upload u ON u.monday = b.monday AND u.tw_id = b.tw_id
ORDER BY u.seq, b.b_id
"""

_UPLOADS_SQL = """
CREATE OR REPLACE TEMP TABLE syn_upload AS
WITH units AS (
    SELECT period, county_id, tw_id, any_value(county) AS county, any_value(township) AS township,
           count(*) AS n_branches,
           sum(CASE WHEN m_idx >= $n_months - $task_months THEN tasks_total ELSE 0 END) AS n_tasks
    FROM syn_bm GROUP BY period, county_id, tw_id
),
final AS (
    SELECT row_number() OVER (ORDER BY period, county_id, tw_id) AS seq, * FROM units
)
SELECT printf('U%05d', seq) AS upload_id, * FROM final
"""

_INSERT_UPLOADS_SQL = """
INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,
                     n_branches, n_tasks, warnings, skipped_sheets, is_demo)
SELECT upload_id, seq,
       county || township || strftime(period, '%Y年%m月') || '五星支部创建台账.xlsx',
       '基准测试', CAST(period + INTERVAL 1 MONTH + INTERVAL 3 DAY AS TIMESTAMP),
       sha256(upload_id), 8000 + 180 * n_branches + 90 * n_tasks, period,
       n_branches, n_tasks, '[]', '[]', false
FROM syn_upload ORDER BY seq
"""

_INSERT_SCOPE_SQL = """
INSERT INTO upload_scope (upload_id, period, county, township)
SELECT upload_id, period, county, township FROM syn_upload ORDER BY seq
"""

_INSERT_BM_SQL = """
INSERT INTO branch_month (upload_id, period, county, township, branch, branch_type, target_stars,
                          star_1, star_2, star_3, star_4, star_5, stars, stars_reported,
                          tasks_done, tasks_total, open_problems, problems, weak, secretary, notes,
                          source_sheet, source_row)
SELECT u.upload_id, b.period, b.county, b.township, b.branch, b.branch_type, b.target_stars,
       b.star_1, b.star_2, b.star_3, b.star_4, b.star_5, b.stars, NULL,
       b.tasks_done, b.tasks_total, b.open_problems,
       CASE WHEN b.open_problems > 0 THEN '台账资料不完整，需补充' END, b.weak, b.secretary, NULL,
       '星级台账', 4 + row_number() OVER (PARTITION BY u.upload_id ORDER BY b.b_id)
FROM syn_bm b JOIN syn_upload u ON u.period = b.period AND u.tw_id = b.tw_id
ORDER BY u.seq, b.b_id
"""

_INSERT_TASK_SQL = f"""
INSERT INTO task (upload_id, period, county, township, branch, star_slot, task, measure, owner,
                  deadline, done, done_date, source_sheet, source_row,
                  team, star_owner, department, accepted, accepted_date)
WITH base AS (
    SELECT u.upload_id, u.seq, b.period, b.county, b.township, b.branch, b.b_id, b.secretary,
           b.tasks_total, b.tasks_done, CAST(hash('rot:' || b.b_id) % 3 AS INTEGER) AS rot
    FROM syn_bm b JOIN syn_upload u ON u.period = b.period AND u.tw_id = b.tw_id
    WHERE b.m_idx >= $n_months - $task_months
),
tasks AS (
    SELECT *, unnest(range(tasks_total)) AS idx FROM base
),
final AS (
    SELECT upload_id, seq, period, county, township, branch, b_id,
           1 + idx % 5 AS star_slot,
           '重点任务' || lpad(CAST(idx + 1 AS VARCHAR), 2, '0') AS task,
           '围绕' || {_chars("组产生平文")}[1 + idx % 5] || '星创建，落实第' || (idx + 1) || '项具体举措' AS measure,
           secretary AS owner,
           -- deadlines spread over the year of the period
           CAST(make_date(year(period), 1, 1) + INTERVAL (idx * 12 + 10) DAY AS DATE) AS deadline,
           -- tasks are done roughly in deadline order (rotated by 0..2); exactly tasks_done are done
           ((idx + rot) % tasks_total) < tasks_done AS done,
           idx
    FROM tasks
)
SELECT upload_id, period, county, township, branch, star_slot, task, measure, owner, deadline, done,
       CASE WHEN done THEN CAST(deadline - INTERVAL ({_u("'dd'", "b_id", "idx")} * 20) DAY AS DATE) END,
       '任务台账', 5 + idx,
       -- battle-map.md §1: one 专班 per star, its 领星人 and 责任单位; ~60% of done tasks accepted
       ['支部过硬星', '产业兴旺星', '生态宜居星', '平安法治星', '文明幸福星'][star_slot] || '专班：'
           || {_chars(SURNAMES)}[1 + (b_id + star_slot) % 10] || '某等3人',
       {_chars(SURNAMES)}[1 + (b_id + 3 * star_slot) % 10] || {_chars(GIVEN)}[1 + star_slot * 2],
       ['组织部', '农业农村局', '生态环境局', '政法委', '宣传部'][star_slot],
       done AND {_u("'acc'", "b_id", "idx", "period")} < 0.6,
       CASE WHEN done AND {_u("'acc'", "b_id", "idx", "period")} < 0.6
            THEN CAST(deadline + INTERVAL 5 DAY AS DATE) END
FROM final ORDER BY seq, b_id, idx
"""

_PROBLEM_TEXTS = ["阵地建设不规范，活动场所标识缺失", "党员发展后继乏人，年龄结构老化", "集体经济收入偏低，增收渠道单一",
                  "人居环境整治不彻底，房前屋后杂物堆放", "矛盾纠纷排查台账不完整", "移风易俗工作推进缓慢，红白事大操大办",
                  "三会一课记录不全", "产业项目带动作用不明显"]

_INSERT_PROBLEM_SQL = f"""
INSERT INTO problem (upload_id, period, county, township, branch, star_slot, problem, measure, owner,
                     deadline, closed, closed_date, source_sheet, source_row)
WITH base AS (
    -- the same months as the task rows: open_problems open rows plus 0..2 closed ones
    SELECT u.upload_id, u.seq, b.period, b.county, b.township, b.branch, b.b_id, b.secretary, b.open_problems,
           b.open_problems + CAST(hash('pclosed:' || b.b_id || ':' || b.m_idx) % 3 AS INTEGER) AS n_rows
    FROM syn_bm b JOIN syn_upload u ON u.period = b.period AND u.tw_id = b.tw_id
    WHERE b.m_idx >= $n_months - $task_months
),
rows AS (
    SELECT *, unnest(range(n_rows)) AS idx FROM base WHERE n_rows > 0
),
final AS (
    SELECT *, idx >= open_problems AS closed,
           CAST(hash('ptext:' || b_id || ':' || idx) % {len(_PROBLEM_TEXTS)} AS INTEGER) AS text_id,
           -- deadlines from two months before the period to three after: some open ones are overdue
           CAST(period + INTERVAL (CAST(hash('pdl:' || b_id || ':' || idx) % 150 AS INTEGER) - 60) DAY AS DATE)
               AS deadline
    FROM rows
)
SELECT upload_id, period, county, township, branch,
       CASE WHEN text_id % 4 = 3 THEN NULL ELSE 1 + (b_id + idx) % 5 END,
       {_chars("一二三四五六七八")}[1 + idx % 8] || '、' || {_PROBLEM_TEXTS}[1 + text_id],
       '制定整改清单，明确责任人和时限，' || (1 + idx) || '个月内完成整改', secretary, deadline, closed,
       CASE WHEN closed THEN CAST(deadline - INTERVAL 7 DAY AS DATE) END,
       '问题清单', 3 + idx
FROM final ORDER BY seq, b_id, idx
"""

_INSERT_WEAK_SQL = f"""
INSERT INTO weak (upload_id, period, county, township, branch, situations, plan, liaison, identified, state,
                  cleared, source_sheet, source_row)
WITH base AS (
    -- weak branches are under rectification; ~1% of the others were cleared earlier this year
    SELECT u.upload_id, u.seq, b.period, b.county, b.township, b.branch, b.b_id, b.weak,
           {_u("'wcleared'", "b.b_id")} < 0.01 AS was_weak
    FROM syn_bm b JOIN syn_upload u ON u.period = b.period AND u.tw_id = b.tw_id
    WHERE b.m_idx >= $n_months - $task_months
),
final AS (
    SELECT * FROM base WHERE weak OR was_weak
)
SELECT upload_id, period, county, township, branch,
       '班子软弱，组织生活不规范', '选派第一书记驻村帮扶，规范“三会一课”', {_chars(SURNAMES)}[1 + b_id % 10] || '副书记',
       CAST(make_date(year(period), 1, 15) AS DATE),
       CASE WHEN weak THEN '整顿中' ELSE '已销号' END,
       CASE WHEN weak THEN NULL ELSE CAST(make_date(year(period), 3, 31) AS DATE) END,
       '软弱涣散整顿', 3 + row_number() OVER (PARTITION BY upload_id ORDER BY b_id)
FROM final ORDER BY seq, b_id
"""


def sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _meta(params: HistoryParams) -> dict[str, Any]:
    from analytics.store import SCHEMA_VERSION

    return {"params": asdict(params), "generator_version": GENERATOR_VERSION, "schema_version": SCHEMA_VERSION}


def is_current(path: Path, params: HistoryParams) -> bool:
    side = sidecar(path)
    if not path.exists() or not side.exists():
        return False
    try:
        stored = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = _meta(params)
    if any(stored.get(k) != v for k, v in expected.items()):
        return False
    # The schema version inside the file must match too.
    from analytics import store

    con = duckdb.connect(str(path), read_only=True)
    try:
        return store.schema_version(con) == store.SCHEMA_VERSION
    finally:
        con.close()


def build_history(path: Path, params: HistoryParams, log: Any = print) -> dict[str, Any]:
    """(Re)build the store at ``path``; returns row counts and build time."""
    from analytics import store

    tmp = path.with_name(path.stem + ".building.duckdb")
    for p in (tmp, Path(str(tmp) + ".wal"), path, Path(str(path) + ".wal"), sidecar(path)):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = store.connect(tmp)  # real schema, migrations and views
    con.execute("SET enable_progress_bar = false")
    end_year, end_month = (int(x) for x in params.end_period.split("-"))
    month_end = date(end_year + end_month // 12, end_month % 12 + 1, 1) - timedelta(days=1)
    values = {
        "n_branches": params.n_branches,
        "n_months": params.n_months,
        "task_months": params.task_months,
        "first_month": _first_month(params),
        "seed": params.seed,
        "n_weeks": params.n_weeks,
        # the last Sunday on or before the end of end_period: the latest week's Sunday
        "last_sunday": month_end - timedelta(days=(month_end.weekday() + 1) % 7),
        "weekly_only_share": params.weekly_only_share,
        "weekly_only_months": params.weekly_only_months,
    }

    def run(label: str, sql: str) -> None:
        t = time.perf_counter()
        names = [k for k in values if f"${k}" in sql]
        con.execute(sql, {k: values[k] for k in names})
        log(f"{label}: {time.perf_counter() - t:.1f}s")

    try:
        run("branches", _BRANCHES_SQL)
        run("branch-months", _MONTHS_SQL)
        if params.n_weeks:
            run("branch-weeks", _WEEKS_SQL)
            run("weekly-only townships", _WEEKLY_ONLY_SQL)
        run("uploads", _UPLOADS_SQL)
        con.execute("BEGIN TRANSACTION")
        run("insert uploads", _INSERT_UPLOADS_SQL)
        run("insert upload_scope", _INSERT_SCOPE_SQL)
        run("insert branch_month", _INSERT_BM_SQL)
        run("insert task", _INSERT_TASK_SQL)
        if params.n_weeks:
            run("week uploads", _WEEK_UPLOADS_SQL)
            run("insert week uploads", _INSERT_WEEK_UPLOADS_SQL)
            run("insert week upload_scope", _INSERT_WEEK_SCOPE_SQL)
            run("insert week branch rows", _INSERT_WEEK_BM_SQL)
        run("insert problem", _INSERT_PROBLEM_SQL)
        run("insert weak", _INSERT_WEAK_SQL)
        # The rows were written straight into the tables: build the per-period snapshot.
        t = time.perf_counter()
        store.rebuild_snapshots(con)
        log(f"branch snapshots: {time.perf_counter() - t:.1f}s")
        con.execute("COMMIT")
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("uploads", "branch_month", "task", "v_branch_month", "v_task", "v_branch_week", "v_problem",
                      "v_weak")
        }
        counts["branches"] = con.execute("SELECT count(*) FROM syn_branch").fetchone()[0]  # type: ignore[index]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.rename(path)
    wal = Path(str(tmp) + ".wal")
    if wal.exists():
        wal.rename(Path(str(path) + ".wal"))
    info = {**_meta(params), "counts": counts, "build_s": round(time.perf_counter() - t0, 1),
            "size_mib": round(path.stat().st_size / 1024 / 1024, 1)}
    sidecar(path).write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return info


def ensure_history(path: Path, params: HistoryParams, log: Any = print) -> dict[str, Any]:
    """Reuse the store at ``path`` when parameters, generator and schema versions match; else build it."""
    if is_current(path, params):
        info: dict[str, Any] = json.loads(sidecar(path).read_text(encoding="utf-8"))
        info["reused"] = True
        return info
    log(f"building {path.name}: {params.n_branches:,} branches × {params.n_months} months …")
    path.parent.mkdir(parents=True, exist_ok=True)
    info = build_history(path, params, log)
    info["reused"] = False
    return info
