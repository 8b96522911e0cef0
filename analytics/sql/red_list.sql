-- 红榜 of the current period: one row per branch with every reason it
-- qualifies (red_entries.sql), in the ranking's order.
WITH
-- @include snapshot_current.sql
,
-- @include list_rows.sql
,
-- @include red_entries.sql
,
final AS (
    SELECT * FROM red_entries
)
SELECT county, township, branch, reasons, reason_text, rank, stars, score
FROM final
ORDER BY
-- @include ranking_order.sql
