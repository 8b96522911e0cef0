-- Shared prelude (included by scope_tasks.sql and scope_problems.sql, not run on its own):
-- the scope's branches of one period with their snapshot month and type.
-- Parameters: $cur_grain/$cur_start/$cur_end the period; $county/$township/$branch_type the scope.
cur_rows AS (
    -- Snapshot rule: a quarter takes each branch's latest month inside it.
    SELECT s.county, s.township, s.branch, s.branch_type, s.period,
           -- The report the row comes from (monthly, or weekly: cadence.md §1).
           s.source_kind, s.source_period
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
)
