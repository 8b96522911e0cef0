-- Trend: per month of the scope (up to $end), level counts and mean score, and how many of
-- the scope's townships reported that month (a month some did not report is incomplete).
-- Parameters: $end (last day shown; NULL = all), scope, weights.
WITH
-- @if w_assessment
assessed_months AS (
    -- @include assessment_months.sql
),
-- @end
rows_in_scope AS (
    SELECT v.period, v.stars,
           -- score as in metrics.md (NULL task_rate counted as 0), with the month's assessment
           -- when its weight is > 0 (cadence.md §3; missing counted as 0).
           $w_stars::DOUBLE * v.stars / 5.0
           + $w_tasks::DOUBLE * coalesce(CASE WHEN v.tasks_total > 0 THEN v.tasks_done::DOUBLE / v.tasks_total END, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
             AS score
    FROM v_branch_month v
    -- @if w_assessment
    LEFT JOIN assessed_months a ON a.county = v.county AND a.township = v.township AND a.branch = v.branch
                               AND a.period = v.period
    -- @end
    WHERE ($end::DATE IS NULL OR v.period <= $end::DATE)
      AND ($county::VARCHAR IS NULL OR v.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR v.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR v.branch_type = $branch_type::VARCHAR)
),
reports AS (
    -- A township reported a month when an upload in force covers that (month, county, township);
    -- the 村/社区 filter does not apply: reporting is per township.
    SELECT s.period, s.county, s.township
    FROM v_current_scope s
    WHERE ($end::DATE IS NULL OR s.period <= $end::DATE)
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
),
reported AS (
    SELECT period, count(*) AS townships FROM reports GROUP BY period
),
scope_townships AS (
    -- The scope's townships: every township that reported in any month shown.
    SELECT count(DISTINCT (county, township)) AS townships_total FROM reports
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
    FROM rows_in_scope
    GROUP BY period
),
final AS (
    SELECT l.*, coalesce(r.townships, 0) AS townships, t.townships_total
    FROM levels l
    LEFT JOIN reported r USING (period)
    CROSS JOIN scope_townships t
)
SELECT * FROM final ORDER BY period
