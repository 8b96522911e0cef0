-- Shared prelude (included by the star_view_* queries, not run on its own): the
-- scope's branches of one period with their snapshot month and their status for
-- one star, and that star's task and problem rows of the snapshot month.
-- Parameters: $cur_grain/$cur_start/$cur_end  the period; $county/$township/$branch_type
--             the scope; $slot  the star (1–5); $village_names/$community_names.
cur_rows AS (
    -- Snapshot rule: a quarter takes each branch's latest month inside it.
    SELECT s.county, s.township, s.branch, s.branch_type, s.period, s.secretary,
           -- The report the row comes from (a monthly one, or a weekly one: cadence.md §1).
           s.source_kind, s.source_period,
           -- The star's status: slot $slot of the branch's five (achieved / in_progress / not_started / NULL).
           list_extract([s.star_1, s.star_2, s.star_3, s.star_4, s.star_5], $slot::INTEGER) AS status,
           -- The branch's own type's name of the star (§2).
           CASE WHEN s.branch_type = '社区' THEN list_extract($community_names::VARCHAR[], $slot::INTEGER)
                ELSE list_extract($village_names::VARCHAR[], $slot::INTEGER) END AS star_name
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
),
star_tasks AS (
    -- The star's tasks of each branch's snapshot report; overdue = deadline ≤ the
    -- last day of the report's period (month end, a week's Sunday) and not done
    -- (no deadline: never overdue).
    SELECT t.county, t.township, t.branch, t.task, t.measure, t.team, t.star_owner, t.department,
           t.owner, t.deadline, t.done, t.accepted, t.accepted_date, t.done_date,
           coalesce(t.deadline <= t.period_end AND NOT t.done, false) AS overdue
    FROM v_task t
    JOIN cur_rows c ON c.county = t.county AND c.township = t.township AND c.branch = t.branch
                   AND c.source_period = t.period AND c.source_kind = t.period_kind
    -- (a weekly report counted in a month may start up to 6 days before it)
    WHERE t.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end AND t.star_slot = $slot::INTEGER
),
star_problems AS (
    -- The star's problems of each branch's snapshot report; overdue = open and
    -- deadline ≤ the last day of the report's period.
    SELECT p.county, p.township, p.branch, p.problem, p.measure, p.owner, p.deadline, p.closed,
           p.closed_date,
           coalesce(NOT p.closed AND p.deadline <= p.period_end, false) AS overdue
    FROM v_problem p
    JOIN cur_rows c ON c.county = p.county AND c.township = p.township AND c.branch = p.branch
                   AND c.source_period = p.period AND c.source_kind = p.period_kind
    WHERE p.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end AND p.star_slot = $slot::INTEGER
)
