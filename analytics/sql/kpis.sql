-- Headline numbers of the current and the previous period (one row each).
WITH
-- @include snapshot.sql
,
periods AS (
    SELECT * FROM (VALUES ('cur'), ('prev')) t(which)
),
agg AS (
    SELECT s.which,
           count(*) AS branches,
           -- 三星及以上 = stars ≥ 3; five/four/three are exact counts.
           count(*) FILTER (WHERE s.stars >= 3) AS at_least_three,
           count(*) FILTER (WHERE s.stars = 5) AS five,
           count(*) FILTER (WHERE s.stars = 4) AS four,
           count(*) FILTER (WHERE s.stars = 3) AS three,
           avg(s.score) AS avg_score,
           -- task_rate = Σdone / Σtotal over branches whose task_rate is known.
           sum(s.tasks_done) FILTER (WHERE s.task_rate IS NOT NULL) AS done_sum,
           sum(s.tasks_total) FILTER (WHERE s.task_rate IS NOT NULL) AS total_sum,
           count(*) FILTER (WHERE s.attained) AS attained,
           count(*) FILTER (WHERE s.weak) AS weak,
           count(*) FILTER (WHERE s.target_stars = 5) AS target_5,
           count(*) FILTER (WHERE s.target_stars = 4) AS target_4,
           count(*) FILTER (WHERE s.target_stars = 3) AS target_3,
           -- Data as of: the latest month present in the snapshot.
           max(s.period) AS data_as_of
    FROM scored s
    GROUP BY s.which
),
final AS (
    SELECT p.which,
           coalesce(a.branches, 0) AS branches,
           coalesce(a.at_least_three, 0) AS at_least_three,
           CASE WHEN a.branches > 0 THEN a.at_least_three / a.branches END AS at_least_three_share,
           coalesce(a.five, 0) AS five,
           coalesce(a.four, 0) AS four,
           coalesce(a.three, 0) AS three,
           a.avg_score,
           CASE WHEN a.total_sum > 0 THEN a.done_sum / a.total_sum END AS task_rate,
           coalesce(a.attained, 0) AS attained,
           coalesce(a.weak, 0) AS weak,
           coalesce(a.target_5, 0) AS target_5,
           coalesce(a.target_4, 0) AS target_4,
           coalesce(a.target_3, 0) AS target_3,
           a.data_as_of
    FROM periods p
    LEFT JOIN agg a USING (which)
)
SELECT * FROM final ORDER BY which
