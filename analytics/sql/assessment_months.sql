-- Shared fragment (a SELECT, not run on its own): per branch and month, its assessment
-- score for that month (cadence.md §3): the month's own total, else the mean of its
-- weeks' totals (a week counts in the month holding its Sunday). A month never takes its
-- quarter's score. Parameters: $county/$township (NULL = no filter).
SELECT a.county, a.township, a.branch, a.month AS period,
       -- The monthly total when there is one (size 2), else the weeks' mean (size 1).
       arg_max(a.points, a.size) AS assessment
FROM (
    SELECT county, township, branch,
           CAST(date_trunc('month', CASE WHEN period_kind = 'week' THEN period + 6 ELSE period END) AS DATE) AS month,
           CASE WHEN period_kind = 'week' THEN 1 ELSE 2 END AS size,
           avg(points) AS points
    FROM v_assessment
    WHERE item = '总分' AND period_kind IN ('week', 'month')
      AND ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
    GROUP BY ALL
) a
GROUP BY a.county, a.township, a.branch, a.month
