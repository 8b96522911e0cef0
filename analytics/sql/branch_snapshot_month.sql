-- Shared fragment (included by branch_tasks.sql and branch_problems.sql, not run on
-- its own): one branch's snapshot in a period — its latest month inside it (metrics.md),
-- or for a week its weekly report — and its branch_type there, with the report the row
-- comes from (source_kind 'month' | 'week', source_period: the month / the Monday).
-- Parameters: $grain/$start (period), $county/$township/$branch.
snapshot_month AS (
    SELECT s.period, s.branch_type, s.source_kind, s.source_period
    FROM branch_snapshot s
    WHERE s.grain = $grain::VARCHAR AND s.period_start = $start::DATE AND s.is_latest
      AND s.county = $county AND s.township = $township AND s.branch = $branch
)
