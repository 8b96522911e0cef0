-- Shared prelude (included by other queries, not run on its own): the
-- per-branch metrics of battle-map.md §5 for the scope's rows of one period.
-- Parameters: $cur_grain/$cur_start/$cur_end  the period ('month' | 'quarter')
--             $prev_grain/$prev_start         the period before it (its weak branches)
--             $county/$township/$branch_type  the scope (NULL = no filter)
-- Snapshot rule (metrics.md): a quarter takes each branch's latest month inside
-- it; task, problem and acceptance figures are those of that month's rows.
cur_rows AS (
    SELECT s.county, s.township, s.branch, s.branch_type, s.period, s.weak, s.open_problems,
           s.tasks_done, s.tasks_total, s.task_rows, s.overdue,
           -- The report the row comes from (monthly, or weekly: cadence.md §1).
           s.source_kind, s.source_period
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
),
prev_rows AS (
    -- The previous period's rows in the same scope (weak last period, cleared since).
    SELECT s.county, s.township, s.branch, s.weak
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql prev
),
branch_metrics AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.period, c.weak,
           -- open_problems: the ledger's count, or the problem list's open rows (set at import).
           c.open_problems,
           -- overdue_problems = open problems (not 销号) of the snapshot report whose deadline is on
           -- or before the report's last day (no deadline: never overdue), as for tasks.
           coalesce(r.overdue_problems, 0) AS overdue_problems,
           c.tasks_done, c.tasks_total, c.overdue AS overdue_tasks,
           -- tasks_accepted = accepted task rows of the snapshot report; NULL when it has no
           -- task rows (acceptance unknown).
           CASE WHEN c.task_rows > 0 THEN coalesce(r.tasks_accepted, 0) END AS tasks_accepted,
           -- accept_rate = tasks_accepted / tasks_total, NULL as task_rate is (unknown or total 0).
           CASE WHEN c.task_rows = 0 OR c.tasks_total IS NULL OR c.tasks_total = 0 THEN NULL
                ELSE coalesce(r.tasks_accepted, 0)::DOUBLE / c.tasks_total END AS accept_rate,
           -- Weak in the previous period (NULL: absent there); cleared = weak then, not now.
           p.weak AS prev_weak,
           coalesce(p.weak AND NOT c.weak, false) AS weak_cleared
    FROM cur_rows c
    -- The counts of the branch's snapshot report as a whole: branch_star's slot 0, kept by the
    -- store from the current task and problem rows (no row: the report has neither).
    LEFT JOIN branch_star r
      ON r.county = c.county AND r.township = c.township AND r.branch = c.branch
     AND r.period = c.source_period AND r.period_kind = c.source_kind AND r.star_slot = 0
     -- (a weekly report counted in a month may start up to 6 days before it)
     AND r.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end
    LEFT JOIN prev_rows p ON p.county = c.county AND p.township = c.township AND p.branch = c.branch
)
