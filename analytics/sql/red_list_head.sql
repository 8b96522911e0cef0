-- The first $rows entries of red_list.sql (a briefing) in its order, then one
-- row with only `total` set: how many entries the whole list has. (A LIMIT
-- plus a count of the entries: cheaper than ordering and returning every entry.)
WITH
-- @include snapshot_current.sql
,
-- @include red_entries.sql
,
head AS (
    SELECT county, township, branch, reasons, reason_text, rank, stars, score, task_rate, name_order, NULL::BIGINT AS total
    FROM final
    ORDER BY
    -- @include ranking_order.sql
    LIMIT $rows
),
counted AS (
    SELECT * FROM head
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) AS total FROM final
)
SELECT * EXCLUDE (task_rate, name_order)
FROM counted
-- The entries in the list's order, the total last.
ORDER BY total NULLS FIRST,
-- @include ranking_order.sql
