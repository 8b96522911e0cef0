-- Per unit (county, township) and for the whole scope: weak branches (now, in
-- the previous period, cleared since), open / overdue problems, tasks done vs
-- accepted (battle-map.md §4–§5), for the 总览 / 简报 and the report; without $by_unit
-- the scope's total row only.
WITH
-- @include problem_metrics.sql
,
unit_rows AS (
    SELECT county, township, true AS in_cur, weak, weak_cleared, false AS weak_before,
           open_problems, overdue_problems, tasks_done, tasks_accepted, tasks_total
    FROM branch_metrics
    UNION ALL
    -- The previous period's weak branches count in weak_prev, present now or not.
    SELECT county, township, false, false, false, weak, NULL, NULL, NULL, NULL, NULL
    FROM prev_rows
),
final AS (
    SELECT
           -- @if by_unit
           CASE WHEN grouping(county) = 1 THEN 'total'
                WHEN grouping(township) = 1 THEN 'county' ELSE 'township' END AS level,
           county, township,
           -- @else
           -- (the scope's total only: what 总览 and 简报 show)
           'total' AS level, NULL::VARCHAR AS county, NULL::VARCHAR AS township,
           -- @end
           count(*) FILTER (WHERE in_cur) AS branches,
           count(*) FILTER (WHERE in_cur AND weak) AS weak,
           count(*) FILTER (WHERE weak_before) AS weak_prev,
           count(*) FILTER (WHERE weak_cleared) AS weak_cleared,
           -- Unknown counts (NULL) add nothing.
           CAST(coalesce(sum(open_problems), 0) AS BIGINT) AS open_problems,
           CAST(coalesce(sum(overdue_problems), 0) AS BIGINT) AS overdue_problems,
           CAST(coalesce(sum(tasks_done), 0) AS BIGINT) AS tasks_done,
           CAST(coalesce(sum(tasks_accepted), 0) AS BIGINT) AS tasks_accepted,
           CAST(coalesce(sum(tasks_total), 0) AS BIGINT) AS tasks_total
    FROM unit_rows
    -- @if by_unit
    GROUP BY GROUPING SETS ((), (county), (county, township))
    -- @end
)
SELECT * FROM final
ORDER BY CASE level WHEN 'total' THEN 0 WHEN 'county' THEN 1 ELSE 2 END,
         county COLLATE "binary", township COLLATE "binary"
