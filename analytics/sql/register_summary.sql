-- Per county with a register (register.md §1): how many branches it registers, by type and
-- status, its declared-goal rows, and the upload in force. Parameters: $county, $township.
WITH
reg AS (
    SELECT county,
           count(*) AS branches,
           count(*) FILTER (WHERE branch_type = '村') AS villages,
           count(*) FILTER (WHERE branch_type = '社区') AS communities,
           -- Merged-away (撤并) branches stay listed but no longer exist.
           count(*) FILTER (WHERE status = '撤并') AS merged,
           count(*) FILTER (WHERE status = '新设') AS new,
           any_value(upload_id) AS upload_id
    FROM v_register
    WHERE ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
    GROUP BY county
),
goals AS (
    SELECT county, count(*) AS goal_rows, any_value(upload_id) AS goals_upload_id
    FROM v_goal
    WHERE $county::VARCHAR IS NULL OR county = $county::VARCHAR
    GROUP BY county
),
final AS (
    SELECT coalesce(r.county, g.county) AS county,
           coalesce(r.branches, 0) AS branches, coalesce(r.villages, 0) AS villages,
           coalesce(r.communities, 0) AS communities, coalesce(r.merged, 0) AS merged,
           coalesce(r.new, 0) AS new, coalesce(g.goal_rows, 0) AS goal_rows,
           r.upload_id, g.goals_upload_id
    FROM reg r
    FULL OUTER JOIN goals g ON g.county = r.county
)
SELECT * FROM final
ORDER BY county COLLATE "binary"
