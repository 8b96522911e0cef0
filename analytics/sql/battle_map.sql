-- 作战图 of the current period: one row per branch with star slots, tasks,
-- overdue count, secretary, score and rank in the scope; liaison and team from the register.
WITH
-- @include snapshot.sql
,
cur AS (
    SELECT s.*,
           -- Rank in the scope (competition ranking on the unrounded score).
           r.rank
    FROM scored s
    JOIN scope_rank r ON r.which = s.which AND r.score_key = s.score_key
    WHERE s.which = 'cur'
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.target_stars,
           c.star_1, c.star_2, c.star_3, c.star_4, c.star_5, c.stars,
           -- gap = stars still missing to the target (never negative); NULL without a target.
           CASE WHEN c.target_stars IS NOT NULL THEN greatest(c.target_stars - c.stars, 0) END AS gap,
           c.tasks_done, c.tasks_total, c.task_rate,
           -- Overdue = tasks of the snapshot month with deadline ≤ that month's
           -- last day and done = false (counted per branch and month in the snapshot table).
           c.overdue,
           -- The secretary: the branch register's (register.md §1) where it names one, else
           -- the snapshot month's ledger row; liaison (包村领导) and team (专班) from the register.
           c.weak, coalesce(reg.secretary, c.secretary) AS secretary, c.score, c.rank,
           -- The month whose row represents the branch (a quarter: its latest month in it).
           c.period,
           reg.liaison, reg.team,
           -- cadence.md §3: the assessment score in the score, and 未评分 (weight > 0, no score).
           c.assessment, c.unscored
    FROM cur c
    LEFT JOIN v_register reg
      ON reg.county = c.county AND reg.township = c.township AND reg.branch = c.branch
)
-- Unordered: analytics.battle_map orders the rows (county, township, branch in code-point
-- order) in Arrow, cheaper than a sort that carries every column.
SELECT *
FROM final
