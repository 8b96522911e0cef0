-- Shared prelude (included by other queries, not run on its own): the scope's
-- rows of the current period with score and ranking key, each carrying its
-- previous period (the calendar month / quarter before) as stored in the row by
-- the store (in_prev, prev_stars, …), so the two periods are never joined.
-- Parameters: $cur_grain/$cur_start    the period shown ('month' | 'quarter', first day)
--             $prev_grain/$prev_start  the period before it (period.previous(): the one
--                                      the stored prev_* / in_next columns refer to)
--             $county/$township/$branch_type  the scope (NULL = no filter)
--             $w_stars/$w_tasks        score weights (settings)
--             $w_assessment/$assessment_max  assessment weight (NULL when 0: no join) and full marks
-- The three CTEs below are NOT MATERIALIZED: each consumer repeats a filtered scan
-- of branch_snapshot (about 1 ms) instead of reading back ~50,000 materialized rows
-- (measured 5–10 % faster on the province benchmark store).
cur_rows AS NOT MATERIALIZED (
    -- The current period's rows in the scope (snapshot rule and scope: in_scope.sql).
    -- Only the columns the queries read.
    SELECT s.county, s.township, s.branch, s.branch_type, s.is_latest, s.period, s.target_stars, s.stars,
           s.task_rate, s.overdue, s.same_since, s.name_order, s.in_prev, s.prev_type, s.prev_stars,
           s.prev_task_rate, s.prev_attained
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
),
prev_rows AS NOT MATERIALIZED (
    -- The previous period's rows in the same scope (its ranks; B4 未报送).
    SELECT s.county, s.township, s.branch, s.is_latest, s.target_stars, s.stars, s.task_rate,
           s.in_next, s.next_type
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql prev
),
-- @if branch_type
prev_other_type AS (
    -- With a branch_type filter (this block) only: the previous row in scope of a branch
    -- whose type changed inside the previous quarter is its latest month of the
    -- filtered type there, not its latest row (rare; never for months).
    SELECT p.county, p.township, p.branch, p.stars, p.task_rate,
           coalesce(p.stars >= p.target_stars, false) AS attained
    FROM prev_rows p
    WHERE NOT p.is_latest
),
cur AS NOT MATERIALIZED (
    SELECT c.* EXCLUDE (in_prev, prev_stars, prev_task_rate, prev_attained),
           -- The branch's row of the previous period in the scope: the stored
           -- latest row when its type is in the scope, else prev_other_type's.
           o.branch IS NOT NULL
               OR (c.in_prev AND c.prev_type = $branch_type::VARCHAR) AS in_prev,
           CASE WHEN o.branch IS NOT NULL THEN o.stars
                WHEN c.prev_type = $branch_type::VARCHAR THEN c.prev_stars END
               AS prev_stars,
           CASE WHEN o.branch IS NOT NULL THEN o.task_rate
                WHEN c.prev_type = $branch_type::VARCHAR THEN c.prev_task_rate END
               AS prev_task_rate,
           CASE WHEN o.branch IS NOT NULL THEN o.attained
                WHEN c.prev_type = $branch_type::VARCHAR THEN c.prev_attained END
               AS prev_attained
    FROM cur_rows c
    LEFT JOIN prev_other_type o ON o.county = c.county AND o.township = c.township AND o.branch = c.branch
),
-- @else
cur AS NOT MATERIALIZED (
    -- No branch_type filter: the branch's row of the previous period is the
    -- stored latest row (prev_other_type and its join are left out: DuckDB
    -- would keep a join against an empty input, ~2–4 ms at province scale).
    SELECT c.* EXCLUDE (in_prev, prev_stars, prev_task_rate, prev_attained),
           c.in_prev, c.prev_stars, c.prev_task_rate, c.prev_attained
    FROM cur_rows c
),
-- @end
-- @if w_assessment
cur_assessment AS (
    -- cadence.md §3: each branch's assessment score for the current period.
    -- @include assessment_period.sql cur
),
prev_assessment AS (
    -- The same for the previous period (its ranks).
    -- @include assessment_period.sql prev
),
-- @end
scored AS (
    SELECT c.*,
           -- attained = target_stars IS NOT NULL AND stars >= target_stars.
           coalesce(c.stars >= c.target_stars, false) AS attained,
           -- @if w_assessment
           a.assessment,
           -- 未评分: no assessment score for the period while its weight is > 0 (counted as 0).
           a.assessment IS NULL AS unscored,
           -- @else
           NULL::DOUBLE AS assessment,
           false AS unscored,
           -- @end
           -- score = w_stars × stars / 5 + w_tasks × task_rate (+ w_assessment × assessment /
           -- assessment_max, cadence.md §3), NULL task_rate and missing assessment counted as 0; unrounded.
           $w_stars::DOUBLE * c.stars / 5.0 + $w_tasks::DOUBLE * coalesce(c.task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
           AS score,
           -- Ranking key: the unrounded score, only cleared of floating-point noise
           -- (1e-9) so that equal scores computed along different paths tie.
           round($w_stars::DOUBLE * c.stars / 5.0 + $w_tasks::DOUBLE * coalesce(c.task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
           , 9) AS score_key,
           -- The same key of the previous period's row (NULL when there is none).
           CASE WHEN c.in_prev THEN round($w_stars::DOUBLE * c.prev_stars / 5.0
                                          + $w_tasks::DOUBLE * coalesce(c.prev_task_rate, 0.0)
           -- @if w_assessment
                                          + $w_assessment::DOUBLE * coalesce(pa.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
                                          , 9) END AS prev_key
    FROM cur c
    -- @if w_assessment
    LEFT JOIN cur_assessment a ON a.county = c.county AND a.township = c.township AND a.branch = c.branch
    LEFT JOIN prev_assessment pa ON pa.county = c.county AND pa.township = c.township AND pa.branch = c.branch
    -- @end
),
prev_keys AS NOT MATERIALIZED (
    -- The previous period's rows in the scope with their ranking key (its ranks).
    SELECT p.county, p.township,
           round($w_stars::DOUBLE * p.stars / 5.0 + $w_tasks::DOUBLE * coalesce(p.task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(pa.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
           , 9) AS score_key
    FROM prev_rows p
    -- @if w_assessment
    LEFT JOIN prev_assessment pa ON pa.county = p.county AND pa.township = p.township AND pa.branch = p.branch
    -- @end
),
score_counts AS (
    SELECT score_key, count(*) AS n FROM scored GROUP BY score_key
),
scope_rank AS (
    -- Competition ranking (1, 2, 2, 4) in the scope on the ranking key: 1 + the
    -- number of branches with a higher score (computed per distinct score, the
    -- same as rank() OVER (ORDER BY score_key DESC)).
    SELECT score_key,
           CAST(1 + coalesce(sum(n) OVER (ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM score_counts
),
town_stats AS (
    -- Per township (in scope): branch count, best and worst ranking key.
    SELECT county, township, count(*) AS town_size, max(score_key) AS town_best, min(score_key) AS town_worst
    FROM scored
    GROUP BY county, township
)
