-- Branch ranking of the current period within each township ("within
-- township" peer group), with the previous period's rank in the same township.
WITH
-- @include snapshot_current.sql
,
cur_keys AS (
    -- Per township: the ranking keys of its branches, highest first.
    SELECT county, township, list(score_key ORDER BY score_key DESC) AS keys
    FROM scored
    GROUP BY county, township
),
prev_town_keys AS (
    -- The same for the previous period's rows of the township (in scope).
    SELECT county, township, list(score_key ORDER BY score_key DESC) AS keys
    FROM prev_keys
    GROUP BY county, township
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.stars, c.target_stars,
           c.task_rate, c.score,
           -- cadence.md §3: the assessment score used and 未评分 (weight > 0, no score).
           c.assessment, c.unscored,
           -- Competition ranking (1, 2, 2, 4) by score descending within the township:
           -- 1 + the branches of the township with a higher score = the position of
           -- the first occurrence of the branch's key in the township's keys, highest
           -- first. (Cheaper than a window partitioned by township: ~2,000 short lists.)
           CAST(list_position(ck.keys, c.score_key) AS BIGINT) AS rank,
           -- The same in the previous period, for the branch's row there (NULL when
           -- the branch was absent).
           CAST(CASE WHEN c.prev_key IS NOT NULL THEN list_position(pk.keys, c.prev_key) END AS BIGINT) AS prev_rank,
           -- The month whose row represents the branch (a quarter: its latest month in it).
           c.period,
           c.name_order
    FROM scored c
    JOIN cur_keys ck ON ck.county = c.county AND ck.township = c.township
    LEFT JOIN prev_town_keys pk ON pk.county = c.county AND pk.township = c.township
)
SELECT county, township, branch, branch_type, stars, target_stars, task_rate, score, rank, prev_rank,
       -- rank_change = previous rank − rank (positive = moved up); NULL when
       -- the branch was absent in the previous period.
       prev_rank - rank AS rank_change, period, assessment, unscored
FROM final
-- Listed township by township (county, then township, in code-point order: a
-- township name can repeat across counties), each in the ranking's order.
ORDER BY county COLLATE "binary", township COLLATE "binary",
-- @include ranking_order.sql
