-- 作战图 of the current period: one row per branch with star slots, tasks,
-- overdue count, secretary, score and rank in the scope.
WITH
-- @include snapshot.sql
,
cur AS (
    SELECT s.*,
           -- Rank in the scope (competition ranking on the unrounded score).
           rank() OVER (ORDER BY s.score_key DESC) AS rank
    FROM scored s
    WHERE s.which = 'cur'
),
overdue AS (
    -- Overdue = tasks of the snapshot month with deadline ≤ that month's last
    -- day and done = false.
    SELECT t.county, t.township, t.branch, count(*) AS overdue
    FROM v_task t
    JOIN cur c
      ON t.county = c.county AND t.township = c.township AND t.branch = c.branch AND t.period = c.period
    WHERE t.period BETWEEN $cur_start AND $cur_end
      AND t.deadline <= last_day(t.period)
      AND NOT t.done
    GROUP BY ALL
),
detail AS (
    -- The secretary comes from the detail view (same current rows).
    SELECT d.county, d.township, d.branch, d.period, d.secretary
    FROM v_branch_month_detail d
    WHERE d.period BETWEEN $cur_start AND $cur_end
      AND ($county::VARCHAR IS NULL OR d.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR d.township = $township::VARCHAR)
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.target_stars,
           c.star_1, c.star_2, c.star_3, c.star_4, c.star_5, c.stars,
           -- gap = stars still missing to the target (never negative); NULL without a target.
           CASE WHEN c.target_stars IS NOT NULL THEN greatest(c.target_stars - c.stars, 0) END AS gap,
           c.tasks_done, c.tasks_total, c.task_rate,
           coalesce(o.overdue, 0) AS overdue,
           c.weak, d.secretary, c.score, c.rank
    FROM cur c
    LEFT JOIN overdue o ON o.county = c.county AND o.township = c.township AND o.branch = c.branch
    LEFT JOIN detail d
      ON d.county = c.county AND d.township = c.township AND d.branch = c.branch AND d.period = c.period
)
SELECT *
FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
