-- The first $rows entries of black_list.sql (a briefing) in its order, then one
-- row with only `total` set: how many entries the whole list has. (A LIMIT
-- plus a count of the entries: cheaper than ordering and returning every entry.)
WITH
-- @include snapshot_current.sql
,
-- @include black_entries.sql
,
head AS (
    SELECT county, township, branch, reasons, reason_text, rank, stars, score, task_rate, NULL::BIGINT AS total
    FROM final
    ORDER BY
    -- @include black_order.sql
    LIMIT $rows
),
counted AS (
    SELECT * FROM head
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) AS total FROM final
)
SELECT * EXCLUDE (task_rate)
FROM counted
-- The entries in the list's order, the total last.
ORDER BY total NULLS FIRST,
-- @include black_order.sql
