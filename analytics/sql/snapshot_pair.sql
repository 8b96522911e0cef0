-- Shared prelude (included by other queries, not run on its own): the scope's
-- rows of two periods, each read on its own, with score and ranking key.
-- Parameters: $cur_grain/$cur_start    the period shown (B of a comparison)
--             $prev_grain/$prev_start  the period compared with (A; any earlier period)
--             $county/$township/$branch_type  the scope (NULL = no filter)
--             $w_stars/$w_tasks        score weights (settings)
cur_scored AS (
    -- Snapshot rule, kept in the table branch_snapshot by the store: a month is
    -- its rows; a quarter takes, for each branch, its latest month inside the
    -- quarter. A branch_type filter sees a branch whose type changed inside a
    -- quarter at its latest month of that type (is_latest false).
    SELECT s.county, s.township, s.branch, s.branch_type, s.stars, s.target_stars, s.tasks_done, s.tasks_total,
           s.task_rate, s.name_order,
           -- attained = target_stars IS NOT NULL AND stars >= target_stars.
           coalesce(s.stars >= s.target_stars, false) AS attained,
           -- score = w_stars × stars / 5 + w_tasks × task_rate, NULL task_rate counted as 0; unrounded.
           $w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0) AS score,
           -- Ranking key: the score cleared of floating-point noise (1e-9).
           round($w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0), 9) AS score_key
    FROM branch_snapshot s
    WHERE s.grain = $cur_grain::VARCHAR AND s.period_start = $cur_start::DATE
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
      AND CASE WHEN $branch_type::VARCHAR IS NULL THEN s.is_latest
               ELSE s.branch_type = $branch_type::VARCHAR END
),
prev_scored AS (
    -- The same for the other period.
    SELECT s.county, s.township, s.branch, s.branch_type, s.stars, s.target_stars, s.tasks_done, s.tasks_total,
           s.task_rate, s.name_order,
           coalesce(s.stars >= s.target_stars, false) AS attained,
           $w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0) AS score,
           round($w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0), 9) AS score_key
    FROM branch_snapshot s
    WHERE s.grain = $prev_grain::VARCHAR AND s.period_start = $prev_start::DATE
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
      AND CASE WHEN $branch_type::VARCHAR IS NULL THEN s.is_latest
               ELSE s.branch_type = $branch_type::VARCHAR END
)
