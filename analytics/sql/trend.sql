-- Trend: per month of the scope (up to $end), level counts and mean score.
-- Parameters: $end (last day shown; NULL = all), scope, weights.
WITH
rows_in_scope AS (
    SELECT v.period, v.stars,
           -- score as in metrics.md (NULL task_rate counted as 0).
           $w_stars::DOUBLE * v.stars / 5.0
           + $w_tasks::DOUBLE * coalesce(CASE WHEN v.tasks_total > 0 THEN v.tasks_done::DOUBLE / v.tasks_total END, 0.0)
             AS score
    FROM v_branch_month v
    WHERE ($end::DATE IS NULL OR v.period <= $end::DATE)
      AND ($county::VARCHAR IS NULL OR v.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR v.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR v.branch_type = $branch_type::VARCHAR)
),
final AS (
    SELECT period,
           count(*) AS branches,
           count(*) FILTER (WHERE stars = 3) AS three,
           count(*) FILTER (WHERE stars = 4) AS four,
           count(*) FILTER (WHERE stars = 5) AS five,
           -- 三星及以上 = stars ≥ 3.
           count(*) FILTER (WHERE stars >= 3) AS at_least_three,
           avg(score) AS avg_score
    FROM rows_in_scope
    GROUP BY period
)
SELECT * FROM final ORDER BY period
