-- 分星推进 (battle-map.md §4): every branch of the scope with its status for one
-- star, that star's tasks (done / accepted / overdue), its open problems and the
-- people named on them, by county, township, branch.
WITH
-- @include star_scope.sql
,
task_counts AS (
    -- One pass over the star's tasks: the counts and the people named on them
    -- (team, star owner, owner), each name once.
    SELECT county, township, branch,
           count(*) AS tasks,
           count(*) FILTER (WHERE done) AS tasks_done,
           count(*) FILTER (WHERE accepted) AS tasks_accepted,
           count(*) FILTER (WHERE overdue) AS tasks_overdue,
           list_distinct(flatten(list([team, star_owner, owner]))) AS task_people
    FROM star_tasks
    GROUP BY ALL
),
problem_counts AS (
    -- The open problems and the owners named on them.
    SELECT county, township, branch,
           count(*) FILTER (WHERE NOT closed) AS open_problems,
           count(*) FILTER (WHERE overdue) AS overdue_problems,
           list_distinct(list(owner) FILTER (WHERE NOT closed)) AS problem_people
    FROM star_problems
    GROUP BY ALL
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.star_name, c.status, c.secretary,
           coalesce(t.tasks, 0) AS tasks, coalesce(t.tasks_done, 0) AS tasks_done,
           coalesce(t.tasks_accepted, 0) AS tasks_accepted, coalesce(t.tasks_overdue, 0) AS tasks_overdue,
           coalesce(p.open_problems, 0) AS open_problems, coalesce(p.overdue_problems, 0) AS overdue_problems,
           -- The people: every name once, in code-point order; none → NULL.
           nullif(array_to_string(list_sort(list_distinct(
               list_concat(t.task_people, p.problem_people))), '、'), '') AS people
    FROM cur_rows c
    LEFT JOIN task_counts t ON t.county = c.county AND t.township = c.township AND t.branch = c.branch
    LEFT JOIN problem_counts p ON p.county = c.county AND p.township = c.township AND p.branch = c.branch
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
