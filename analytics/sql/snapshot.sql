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
    SELECT v.*
    FROM v_branch_month v
    -- (the single covering range first, so the filter reaches the views' scans).
    WHERE v.period BETWEEN least($cur_start::DATE, $prev_start::DATE) AND greatest($cur_end::DATE, $prev_end::DATE)
      AND (v.period BETWEEN $cur_start AND $cur_end OR v.period BETWEEN $prev_start AND $prev_end)
      AND ($county::VARCHAR IS NULL OR v.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR v.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR v.branch_type = $branch_type::VARCHAR)
),
snap AS (
    -- Snapshot rule: a quarter takes, for each branch (county, township, branch),
    -- its latest month inside the quarter. A month has exactly one row per branch
    -- (one current upload per township and month), so a month skips the
    -- de-duplication ($cur_multi/$prev_multi are false for a month).
    (SELECT 'cur' AS which, i.* FROM in_scope i
     WHERE NOT $cur_multi AND i.period BETWEEN $cur_start AND $cur_end)
    UNION ALL
    (SELECT 'cur' AS which, i.* FROM in_scope i
     WHERE $cur_multi AND i.period BETWEEN $cur_start AND $cur_end
     QUALIFY row_number() OVER (PARTITION BY i.county, i.township, i.branch ORDER BY i.period DESC) = 1)
    UNION ALL
    (SELECT 'prev' AS which, i.* FROM in_scope i
     WHERE NOT $prev_multi AND i.period BETWEEN $prev_start AND $prev_end)
    UNION ALL
    (SELECT 'prev' AS which, i.* FROM in_scope i
     WHERE $prev_multi AND i.period BETWEEN $prev_start AND $prev_end
     QUALIFY row_number() OVER (PARTITION BY i.county, i.township, i.branch ORDER BY i.period DESC) = 1)
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
)
