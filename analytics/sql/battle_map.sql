-- 作战图 of the current period: one row per branch with star slots, tasks,
-- overdue count, secretary, score and rank in the scope.
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
overdue AS (
    -- Overdue = tasks of the snapshot month with deadline ≤ that month's last
    -- day and done = false. Counted per branch and month first (no join on the
    -- task rows); `final` keeps only the count of each branch's snapshot month.
    SELECT t.county, t.township, t.branch, t.period, count(*) AS overdue
    FROM v_task t
    WHERE t.period BETWEEN $cur_start AND $cur_end
      -- (the scope's county / township; branch_type is applied by the join to `cur`)
      AND ($county::VARCHAR IS NULL OR t.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR t.township = $township::VARCHAR)
      AND t.deadline <= last_day(t.period)
      AND NOT t.done
    GROUP BY ALL
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.target_stars,
           c.star_1, c.star_2, c.star_3, c.star_4, c.star_5, c.stars,
           -- gap = stars still missing to the target (never negative); NULL without a target.
           CASE WHEN c.target_stars IS NOT NULL THEN greatest(c.target_stars - c.stars, 0) END AS gap,
           c.tasks_done, c.tasks_total, c.task_rate,
           coalesce(o.overdue, 0) AS overdue,
           -- The secretary of the snapshot month's row (the snapshot reads the detail view).
           c.weak, c.secretary, c.score, c.rank
    FROM cur c
    LEFT JOIN overdue o
      ON o.county = c.county AND o.township = c.township AND o.branch = c.branch AND o.period = c.period
)
SELECT *
FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
