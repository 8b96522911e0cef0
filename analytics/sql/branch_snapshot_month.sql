-- Shared fragment (included by branch_tasks.sql and branch_problems.sql, not run on
-- its own): one branch's snapshot month in a period — its latest month inside it
-- (metrics.md) — and its branch_type there.
-- Parameters: $start/$end (period), $county/$township/$branch.
snapshot_month AS (
    SELECT max(v.period) AS period, arg_max(v.branch_type, v.period) AS branch_type
    FROM v_branch_month v
    WHERE v.period BETWEEN $start AND $end
      AND v.county = $county AND v.township = $township AND v.branch = $branch
)
