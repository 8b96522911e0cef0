-- What accepting a pending submission would change, per branch (access.md §3):
-- stars, tasks and target before (the data in force for the same period and
-- townships) and after (the submission's rows).
WITH units AS (
    SELECT kind, period, county, township FROM upload_scope WHERE upload_id = $upload_id
),
after AS (
    SELECT county, township, branch, stars, tasks_done, tasks_total, target_stars
    FROM branch_month
    WHERE upload_id = $upload_id
),
before AS (
    -- The rows in force for the same units of the same kind (a weekly submission is compared
    -- with the weekly report in force, never with a month starting the same day).
    SELECT b.county, b.township, b.branch, b.stars, b.tasks_done, b.tasks_total, b.target_stars
    FROM branch_month b
    JOIN units u ON u.period = b.period AND u.county = b.county AND u.township = b.township
                AND u.kind = b.period_kind
    WHERE b.is_current
),
final AS (
    SELECT coalesce(a.county, b.county) AS county,
           coalesce(a.township, b.township) AS township,
           coalesce(a.branch, b.branch) AS branch,
           b.stars AS stars_before, a.stars AS stars_after,
           b.tasks_done AS tasks_done_before, a.tasks_done AS tasks_done_after,
           b.tasks_total AS tasks_total_before, a.tasks_total AS tasks_total_after,
           b.target_stars AS target_before, a.target_stars AS target_after,
           -- A branch only in the submission is new; only in force now, it would be dropped.
           CASE WHEN b.branch IS NULL THEN 'added'
                WHEN a.branch IS NULL THEN 'dropped'
                WHEN a.stars IS DISTINCT FROM b.stars OR a.tasks_done IS DISTINCT FROM b.tasks_done
                  OR a.tasks_total IS DISTINCT FROM b.tasks_total
                  OR a.target_stars IS DISTINCT FROM b.target_stars THEN 'changed'
                ELSE 'same' END AS change
    FROM after a
    FULL OUTER JOIN before b ON a.county = b.county AND a.township = b.township AND a.branch = b.branch
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
