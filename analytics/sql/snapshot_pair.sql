-- Shared prelude (included by other queries, not run on its own): the scope's
-- rows of two periods, each read on its own, with score and ranking key.
-- Parameters: $cur_grain/$cur_start    the period shown (B of a comparison)
--             $prev_grain/$prev_start  the period compared with (A; any earlier period)
--             $county/$township/$branch_type  the scope (NULL = no filter)
--             $w_stars/$w_tasks        score weights (settings)
cur_scored AS (
    -- @include scored_period.sql cur
),
prev_scored AS (
    -- @include scored_period.sql prev
)
