-- Trend: per month (or per week) of the scope (up to $end), level counts and mean score, and
-- how many of the scope's townships reported that period (one some did not report is incomplete).
-- Parameters: $grain ('month' | 'week'), $end (last day shown; NULL = all), scope, weights.
WITH
-- @if w_assessment
assessed_months AS (
    -- @include assessment_months.sql
),
-- @end
rows_in_scope AS (
    -- The snapshot rows of the grain (kept by the store): by month each branch's row of the
    -- month (its monthly report, else its latest weekly report whose Sunday falls in the
    -- month: cadence.md §1); by week the weekly reports only (period_start = the Monday).
    SELECT s.period_start AS period, s.stars,
           -- score as in metrics.md (NULL task_rate counted as 0; task_rate stored), with the
           -- month's assessment when its weight is > 0 (cadence.md §3; missing counted as 0).
           $w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
             AS score
    FROM branch_snapshot s
    -- @if w_assessment
    LEFT JOIN assessed_months a ON a.county = s.county AND a.township = s.township AND a.branch = s.branch
                               AND a.period = s.period_start AND $grain::VARCHAR = 'month'
    -- @end
    WHERE s.grain = $grain::VARCHAR
      AND ($end::DATE IS NULL OR s.period_start <= $end::DATE)
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR s.branch_type = $branch_type::VARCHAR)
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
by_level AS (
    -- Per period and star level: count and score sum (one narrow aggregation over the rows;
    -- the counts by level and the mean follow from these few groups).
    SELECT period, stars, count(*) AS n, sum(score) AS score_sum
    FROM rows_in_scope
    GROUP BY period, stars
),
levels AS (
    SELECT period,
           CAST(sum(n) AS BIGINT) AS branches,
           CAST(coalesce(sum(n) FILTER (WHERE stars = 3), 0) AS BIGINT) AS three,
           CAST(coalesce(sum(n) FILTER (WHERE stars = 4), 0) AS BIGINT) AS four,
           CAST(coalesce(sum(n) FILTER (WHERE stars = 5), 0) AS BIGINT) AS five,
           -- 三星及以上 = stars ≥ 3.
           CAST(coalesce(sum(n) FILTER (WHERE stars >= 3), 0) AS BIGINT) AS at_least_three,
           sum(score_sum) / sum(n) AS avg_score
    FROM by_level
    GROUP BY period
),
final AS (
    SELECT l.*, coalesce(r.townships, 0) AS townships, t.townships_total
    FROM levels l
    LEFT JOIN reported r USING (period)
    CROSS JOIN scope_townships t
)
SELECT * FROM final ORDER BY period
