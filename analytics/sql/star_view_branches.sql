-- 分星推进 (battle-map.md §4): every branch of the scope with its status for one
-- star, that star's tasks (done / accepted / overdue), its open problems and the
-- people named on them, by county, township, branch.
WITH
-- @include star_scope.sql
,
task_counts AS (
    SELECT county, township, branch,
           count(*) AS tasks,
           count(*) FILTER (WHERE done) AS tasks_done,
           count(*) FILTER (WHERE accepted) AS tasks_accepted,
           count(*) FILTER (WHERE overdue) AS tasks_overdue
    FROM star_tasks
    GROUP BY ALL
),
problem_counts AS (
    SELECT county, township, branch,
           count(*) FILTER (WHERE NOT closed) AS open_problems,
           count(*) FILTER (WHERE overdue) AS overdue_problems
    FROM star_problems
    GROUP BY ALL
),
people AS (
    -- The people named on the star's tasks (team, star owner, owner) and on its
    -- open problems (owner): each name once, in code-point order.
    SELECT county, township, branch,
           string_agg(DISTINCT name, '、' ORDER BY name COLLATE "binary") AS people
    FROM (
        SELECT county, township, branch, unnest([team, star_owner, owner]) AS name FROM star_tasks
        UNION ALL
        SELECT county, township, branch, owner FROM star_problems WHERE NOT closed
    )
    WHERE name IS NOT NULL
    GROUP BY ALL
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.star_name, c.status, c.secretary,
           coalesce(t.tasks, 0) AS tasks, coalesce(t.tasks_done, 0) AS tasks_done,
           coalesce(t.tasks_accepted, 0) AS tasks_accepted, coalesce(t.tasks_overdue, 0) AS tasks_overdue,
           coalesce(p.open_problems, 0) AS open_problems, coalesce(p.overdue_problems, 0) AS overdue_problems,
           pe.people
    FROM cur_rows c
    LEFT JOIN task_counts t ON t.county = c.county AND t.township = c.township AND t.branch = c.branch
    LEFT JOIN problem_counts p ON p.county = c.county AND p.township = c.township AND p.branch = c.branch
    LEFT JOIN people pe ON pe.county = c.county AND pe.township = c.township AND pe.branch = c.branch
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
