-- Shared prelude (included by other queries, not run on its own): the
-- per-branch snapshot of two periods with task_rate, score and level.
-- Parameters: $cur_start/$cur_end   the period shown (first day .. last day)
--             $cur_multi/$prev_multi  true when the period spans several months
--             $prev_start/$prev_end the period compared with (usually the previous one)
--             $county/$township/$branch_type  the scope (NULL = no filter)
--             $w_stars/$w_tasks     score weights (settings)
-- Rows are tagged which = 'cur' | 'prev'. The two ranges may overlap.
in_scope AS (
    -- Scope: the whole store or a filter on county / township / branch_type.
    -- Only the months of the two periods are read (filter on period first).
    -- (The detail view holds the same current rows as v_branch_month, plus the
    -- secretary the battle map shows; only the columns a query uses are read.)
    SELECT v.*
    FROM v_branch_month_detail v
    -- (the single covering range first, so the filter reaches the views' scans).
    WHERE v.period BETWEEN least($cur_start::DATE, $prev_start::DATE) AND greatest($cur_end::DATE, $prev_end::DATE)
      AND (v.period BETWEEN $cur_start AND $cur_end OR v.period BETWEEN $prev_start AND $prev_end)
      AND ($county::VARCHAR IS NULL OR v.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR v.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR v.branch_type = $branch_type::VARCHAR)
),
snap AS (
    -- Snapshot rule: a quarter takes, for each branch (county, township, branch),
    -- its latest month inside the quarter: every field from the row of that
    -- month (arg_max_null keeps a NULL of that row). A month has exactly one row
    -- per branch (one current upload per township and month), so a month skips
    -- the de-duplication ($cur_multi/$prev_multi are false for a month).
    (SELECT 'cur' AS which, i.period, i.county, i.township, i.branch, i.branch_type, i.target_stars,
            i.star_1, i.star_2, i.star_3, i.star_4, i.star_5, i.stars, i.tasks_done, i.tasks_total,
            i.open_problems, i.weak, i.upload_id, i.secretary
     FROM in_scope i
     WHERE NOT $cur_multi AND i.period BETWEEN $cur_start AND $cur_end)
    UNION ALL
    (SELECT 'cur' AS which, max(i.period) AS period, i.county, i.township, i.branch,
            arg_max_null(i.branch_type, i.period) AS branch_type,
            arg_max_null(i.target_stars, i.period) AS target_stars,
            arg_max_null(i.star_1, i.period) AS star_1,
            arg_max_null(i.star_2, i.period) AS star_2,
            arg_max_null(i.star_3, i.period) AS star_3,
            arg_max_null(i.star_4, i.period) AS star_4,
            arg_max_null(i.star_5, i.period) AS star_5,
            arg_max_null(i.stars, i.period) AS stars,
            arg_max_null(i.tasks_done, i.period) AS tasks_done,
            arg_max_null(i.tasks_total, i.period) AS tasks_total,
            arg_max_null(i.open_problems, i.period) AS open_problems,
            arg_max_null(i.weak, i.period) AS weak,
            arg_max_null(i.upload_id, i.period) AS upload_id,
            arg_max_null(i.secretary, i.period) AS secretary
     FROM in_scope i
     WHERE $cur_multi AND i.period BETWEEN $cur_start AND $cur_end
     GROUP BY i.county, i.township, i.branch)
    UNION ALL
    (SELECT 'prev' AS which, i.period, i.county, i.township, i.branch, i.branch_type, i.target_stars,
            i.star_1, i.star_2, i.star_3, i.star_4, i.star_5, i.stars, i.tasks_done, i.tasks_total,
            i.open_problems, i.weak, i.upload_id, i.secretary
     FROM in_scope i
     WHERE NOT $prev_multi AND i.period BETWEEN $prev_start AND $prev_end)
    UNION ALL
    (SELECT 'prev' AS which, max(i.period) AS period, i.county, i.township, i.branch,
            arg_max_null(i.branch_type, i.period) AS branch_type,
            arg_max_null(i.target_stars, i.period) AS target_stars,
            arg_max_null(i.star_1, i.period) AS star_1,
            arg_max_null(i.star_2, i.period) AS star_2,
            arg_max_null(i.star_3, i.period) AS star_3,
            arg_max_null(i.star_4, i.period) AS star_4,
            arg_max_null(i.star_5, i.period) AS star_5,
            arg_max_null(i.stars, i.period) AS stars,
            arg_max_null(i.tasks_done, i.period) AS tasks_done,
            arg_max_null(i.tasks_total, i.period) AS tasks_total,
            arg_max_null(i.open_problems, i.period) AS open_problems,
            arg_max_null(i.weak, i.period) AS weak,
            arg_max_null(i.upload_id, i.period) AS upload_id,
            arg_max_null(i.secretary, i.period) AS secretary
     FROM in_scope i
     WHERE $prev_multi AND i.period BETWEEN $prev_start AND $prev_end
     GROUP BY i.county, i.township, i.branch)
),
rated AS (
    SELECT s.*,
           -- task_rate = tasks_done / tasks_total, NULL when either is unknown or total is 0.
           CASE WHEN s.tasks_done IS NULL OR s.tasks_total IS NULL OR s.tasks_total = 0 THEN NULL
                ELSE s.tasks_done::DOUBLE / s.tasks_total END AS task_rate,
           -- attained = target_stars IS NOT NULL AND stars >= target_stars.
           coalesce(s.stars >= s.target_stars, false) AS attained,
           -- level label: 五星 (5) … 无星 (0).
           ['无星', '一星', '二星', '三星', '四星', '五星'][s.stars + 1] AS level_label
    FROM snap s
),
scored AS (
    SELECT r.*,
           -- score = w_stars × stars / 5 + w_tasks × task_rate, NULL task_rate counted as 0; unrounded.
           $w_stars::DOUBLE * r.stars / 5.0 + $w_tasks::DOUBLE * coalesce(r.task_rate, 0.0) AS score,
           -- Ranking key: the unrounded score, only cleared of floating-point noise
           -- (1e-9) so that equal scores computed along different paths tie.
           round($w_stars::DOUBLE * r.stars / 5.0 + $w_tasks::DOUBLE * coalesce(r.task_rate, 0.0), 9) AS score_key
    FROM rated r
),
score_counts AS (
    SELECT which, score_key, count(*) AS n FROM scored GROUP BY which, score_key
),
scope_rank AS (
    -- Competition ranking (1, 2, 2, 4) in the scope, per period, on the ranking
    -- key: 1 + the number of branches with a higher score (computed per distinct
    -- score, the same as rank() OVER (PARTITION BY which ORDER BY score_key DESC)).
    SELECT which, score_key,
           CAST(1 + coalesce(sum(n) OVER (PARTITION BY which ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM score_counts
),
town_stats AS (
    -- Per period and township (in scope): branch count, best and worst ranking key.
    SELECT which, county, township, count(*) AS town_size,
           max(score_key) AS town_best, min(score_key) AS town_worst
    FROM scored
    GROUP BY which, county, township
)
