-- Shared fragment (a SELECT, not run on its own): per branch of the scope, its
-- assessment score (量化考核 / 观摩评分 total, cadence.md §3) for the period
-- $period_grain / $period_start … $period_end. Included as
-- `-- @include assessment_period.sql cur` (or `prev`), like in_scope.sql.
SELECT a.county, a.township, a.branch,
       -- The period's own total when it has one; else the mean of the totals of the
       -- longest shorter kind that has any inside it: a quarter's months, then its
       -- weeks (a half-year or year: its quarters, then months, then weeks).
       arg_max(a.points, a.size) AS assessment
FROM (
    SELECT county, township, branch,
           CASE period_kind WHEN 'week' THEN 1 WHEN 'month' THEN 2 ELSE 3 END AS size,
           avg(points) AS points
    FROM v_assessment
    WHERE item = '总分'
      -- A week counts in the period holding its Sunday (as weekly ledgers do in months, cadence.md §1).
      AND CASE WHEN period_kind = 'week' THEN period + 6 ELSE period END
          BETWEEN $period_start::DATE AND $period_end::DATE
      -- Only kinds no longer than the period (a month never takes its quarter's score).
      AND CASE period_kind WHEN 'week' THEN 1 WHEN 'month' THEN 2 ELSE 3 END
          <= CASE $period_grain::VARCHAR WHEN 'week' THEN 1 WHEN 'month' THEN 2 WHEN 'quarter' THEN 3 ELSE 4 END
      AND ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
    GROUP BY county, township, branch, period_kind
) a
GROUP BY a.county, a.township, a.branch
