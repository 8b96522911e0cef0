-- 分星推进 (battle-map.md §4): the scope's branches with their status for one star,
-- that star's tasks (done / accepted / overdue), its open problems and the people named
-- on them, by county, township, branch; with $page_county/$page_township (bound lists of
-- the same length), only the branches of those townships (a page of a large scope).
WITH
-- @include star_scope.sql
,
page AS (
    SELECT c.* FROM cur_rows c
    -- @if page_county
    SEMI JOIN (SELECT unnest($page_county::VARCHAR[]) AS county, unnest($page_township::VARCHAR[]) AS township) u
           ON u.county = c.county AND u.township = c.township
    -- @end
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.star_name, c.status, c.secretary,
           c.source_kind, c.source_period,
           -- No task or problem of the star: zero.
           coalesce(s.tasks, 0) AS tasks, coalesce(s.tasks_done, 0) AS tasks_done,
           coalesce(s.tasks_accepted, 0) AS tasks_accepted, coalesce(s.tasks_overdue, 0) AS tasks_overdue,
           coalesce(s.open_problems, 0) AS open_problems, coalesce(s.overdue_problems, 0) AS overdue_problems,
           -- The people (team, star owner, owner of its tasks; owner of its open problems): every
           -- name once, in code-point order; none -> NULL.
           s.people
    FROM page c
    -- @include star_join.sql
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
