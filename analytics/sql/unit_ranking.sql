-- Township or county ranking of the current period with the previous rank.
-- Extra parameter: $by_township (true: units are townships; false: counties).
WITH
-- @include snapshot_pair.sql
,
cur_units AS (
    SELECT s.county,
           CASE WHEN $by_township THEN s.township END AS township,
           count(*) AS branches,
           -- A unit's score is the mean score of its branches.
           avg(s.score) AS score,
           round(avg(s.score), 9) AS score_key,
           -- Counts at exactly 五/四/三星.
           count(*) FILTER (WHERE s.stars = 5) AS five,
           count(*) FILTER (WHERE s.stars = 4) AS four,
           count(*) FILTER (WHERE s.stars = 3) AS three,
           count(*) FILTER (WHERE s.attained) AS attained,
           count(s.target_stars) AS with_target,
           -- cadence.md §3: branches without an assessment score (未评分) while its weight is > 0.
           count(*) FILTER (WHERE s.unscored) AS unscored,
           -- task_rate = Σdone / Σtotal over branches whose task_rate is known.
           sum(s.tasks_done) FILTER (WHERE s.task_rate IS NOT NULL) AS done_sum,
           sum(s.tasks_total) FILTER (WHERE s.task_rate IS NOT NULL) AS total_sum
    FROM cur_scored s
    GROUP BY ALL
),
prev_units AS (
    SELECT s.county,
           CASE WHEN $by_township THEN s.township END AS township,
           count(*) AS branches,
           avg(s.score) AS score,
           round(avg(s.score), 9) AS score_key
    FROM prev_scored s
    GROUP BY ALL
),
cur_ranked AS (
    -- Competition ranking by mean score within the scope.
    SELECT u.*, rank() OVER (ORDER BY u.score_key DESC) AS rank FROM cur_units u
),
prev_ranked AS (
    SELECT u.*, rank() OVER (ORDER BY u.score_key DESC) AS rank FROM prev_units u
),
final AS (
    SELECT c.county, c.township, c.branches, c.score, c.rank,
           p.rank AS prev_rank,
           -- rank_change = previous rank − rank; NULL when absent before.
           p.rank - c.rank AS rank_change,
           c.five, c.four, c.three, c.attained, c.with_target,
           -- attainment rate = attained / branches with a target (NULL when none has one).
           CASE WHEN c.with_target > 0 THEN c.attained / c.with_target END AS attainment_rate,
           CASE WHEN c.total_sum > 0 THEN c.done_sum / c.total_sum END AS task_rate,
           p.score AS prev_score, p.branches AS prev_branches, c.unscored
    FROM cur_ranked c
    LEFT JOIN prev_ranked p
      ON p.county = c.county AND p.township IS NOT DISTINCT FROM c.township
)
SELECT *
FROM final
-- Ties share the rank and are listed by name (code-point order).
ORDER BY rank, township COLLATE "binary", county COLLATE "binary"
