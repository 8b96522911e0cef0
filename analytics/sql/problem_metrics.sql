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
accepted AS (
    -- tasks_accepted = accepted task rows of the branch's snapshot month (only those rows
    -- are joined: a branch without any counts 0 below).
    SELECT t.county, t.township, t.branch, count(*) AS tasks_accepted
    FROM v_task t
    JOIN cur_rows c ON c.county = t.county AND c.township = t.township AND c.branch = t.branch
                   AND c.source_period = t.period AND c.source_kind = t.period_kind
    -- (a weekly report counted in a month may start up to 6 days before it)
    WHERE t.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end AND t.accepted
    GROUP BY ALL
),
problem_counts AS (
    -- overdue_problems = open problems (not 销号) of the snapshot month whose deadline
    -- is on or before that month's last day (no deadline: never overdue), as for tasks.
    SELECT p.county, p.township, p.branch, count(*) AS overdue_problems
    FROM v_problem p
    JOIN cur_rows c ON c.county = p.county AND c.township = p.township AND c.branch = p.branch
                   AND c.source_period = p.period AND c.source_kind = p.period_kind
    WHERE p.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end
      AND NOT p.closed AND p.deadline <= p.period_end
    GROUP BY ALL
),
branch_metrics AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.period, c.weak,
           -- open_problems: the ledger's count, or the problem list's open rows (set at import).
           c.open_problems,
           coalesce(pc.overdue_problems, 0) AS overdue_problems,
           c.tasks_done, c.tasks_total, c.overdue AS overdue_tasks,
           -- tasks_accepted: NULL when the month has no task rows (acceptance unknown).
           CASE WHEN c.task_rows > 0 THEN coalesce(a.tasks_accepted, 0) END AS tasks_accepted,
           -- accept_rate = tasks_accepted / tasks_total, NULL as task_rate is (unknown or total 0).
           CASE WHEN c.task_rows = 0 OR c.tasks_total IS NULL OR c.tasks_total = 0 THEN NULL
                ELSE coalesce(a.tasks_accepted, 0)::DOUBLE / c.tasks_total END AS accept_rate,
           -- Weak in the previous period (NULL: absent there); cleared = weak then, not now.
           p.weak AS prev_weak,
           coalesce(p.weak AND NOT c.weak, false) AS weak_cleared
    FROM cur_rows c
    LEFT JOIN accepted a ON a.county = c.county AND a.township = c.township AND a.branch = c.branch
    LEFT JOIN problem_counts pc ON pc.county = c.county AND pc.township = c.township AND pc.branch = c.branch
    LEFT JOIN prev_rows p ON p.county = c.county AND p.township = c.township AND p.branch = c.branch
)
