-- Trend: per month (or per week) of the scope (up to $end), level counts and mean score, and
-- how many of the scope's townships reported that period (one some did not report is incomplete).
-- Parameters: $grain ('month' | 'week'), $end (last day shown; NULL = all), scope, weights.
WITH
rows_in_scope AS (
    -- By month: each branch's row of the month (its monthly report, else its latest weekly
    -- report whose Sunday falls in the month: cadence.md §1). By week: weekly reports only.
    SELECT v.period, v.stars, v.tasks_done, v.tasks_total
    FROM v_branch_month v
    WHERE $grain::VARCHAR = 'month'
      AND ($end::DATE IS NULL OR v.period <= $end::DATE)
      AND ($county::VARCHAR IS NULL OR v.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR v.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR v.branch_type = $branch_type::VARCHAR)
    UNION ALL
    SELECT v.period, v.stars, v.tasks_done, v.tasks_total
    FROM v_branch_week v
    WHERE $grain::VARCHAR = 'week'
      AND ($end::DATE IS NULL OR v.period <= $end::DATE)
      AND ($county::VARCHAR IS NULL OR v.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR v.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR v.branch_type = $branch_type::VARCHAR)
),
scored AS (
    SELECT r.period, r.stars,
           -- score as in metrics.md (NULL task_rate counted as 0).
           $w_stars::DOUBLE * r.stars / 5.0
           + $w_tasks::DOUBLE * coalesce(CASE WHEN r.tasks_total > 0 THEN r.tasks_done::DOUBLE / r.tasks_total END, 0.0)
             AS score
    FROM rows_in_scope r
),
reports AS (
    -- A township reported a period when an upload in force covers it: by week, its weekly
    -- ledger; by month, its monthly ledger or a weekly one whose Sunday falls in the month.
    -- The 村/社区 filter does not apply: reporting is per township.
    SELECT DISTINCT
           CASE WHEN s.kind = 'week' AND $grain::VARCHAR = 'month'
                THEN CAST(date_trunc('month', s.period + 6) AS DATE) ELSE s.period END AS period,
           s.county, s.township
    FROM upload_scope s
    WHERE s.is_current
      AND (s.kind = $grain::VARCHAR OR ($grain::VARCHAR = 'month' AND s.kind = 'week'))
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
),
shown AS (
    SELECT * FROM reports WHERE ($end::DATE IS NULL OR period <= $end::DATE)
),
reported AS (
    SELECT period, count(*) AS townships FROM shown GROUP BY period
),
scope_townships AS (
    -- The scope's townships: every township that reported in any period shown.
    SELECT count(DISTINCT (county, township)) AS townships_total FROM shown
),
levels AS (
    SELECT period,
           count(*) AS branches,
           count(*) FILTER (WHERE stars = 3) AS three,
           count(*) FILTER (WHERE stars = 4) AS four,
           count(*) FILTER (WHERE stars = 5) AS five,
           -- 三星及以上 = stars ≥ 3.
           count(*) FILTER (WHERE stars >= 3) AS at_least_three,
           avg(score) AS avg_score
    FROM scored
    GROUP BY period
),
final AS (
    SELECT l.*, coalesce(r.townships, 0) AS townships, t.townships_total
    FROM levels l
    LEFT JOIN reported r USING (period)
    CROSS JOIN scope_townships t
)
SELECT * FROM final ORDER BY period
