-- 分星推进: the tasks of one star in the scope (each branch's snapshot month),
-- by county, township, branch, deadline.
WITH
-- @include star_scope.sql
,
final AS (
    SELECT * FROM star_tasks
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary",
         deadline NULLS LAST, task COLLATE "binary"
-- @if limit
-- The page shows the first $limit rows (the battle-map Excel holds them all).
LIMIT $limit
-- @end
