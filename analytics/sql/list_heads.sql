-- The heads of both lists in one query (the 简报 page): the first $rows entries
-- of red_list.sql and of black_list.sql, each in its list's order, and how many
-- entries each whole list has. Both lists judge the same rows (`placed`), which
-- are computed once here instead of once per list.
-- Rows: list = 'red' | 'black'; pos = 1, 2, … for the entries; then one row per
-- list with pos NULL and only `total` set.
WITH
-- @include snapshot_current.sql
,
-- @include list_rows.sql
,
-- @include red_entries.sql
,
-- @include black_entries.sql
,
red_head AS (
    -- A top-N: only these entries are ordered.
    SELECT county, township, branch, reasons, reason_text, rank, stars, score, task_rate, name_order
    FROM red_entries
    ORDER BY
    -- @include ranking_order.sql
    LIMIT $rows
),
black_head AS (
    SELECT county, township, branch, reasons, reason_text, rank, stars, score, task_rate
    FROM black_entries
    ORDER BY
    -- @include black_order.sql
    LIMIT $rows
),
final AS (
    SELECT 'red' AS list, county, township, branch, reasons, reason_text, rank, stars, score,
           row_number() OVER (ORDER BY
           -- @include ranking_order.sql
           ) AS pos,
           NULL::BIGINT AS total
    FROM red_head
    UNION ALL
    SELECT 'black', county, township, branch, reasons, reason_text, rank, stars, score,
           row_number() OVER (ORDER BY
           -- @include black_order.sql
           ),
           NULL
    FROM black_head
    UNION ALL
    SELECT 'red', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM red_entries
    UNION ALL
    SELECT 'black', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM black_entries
)
SELECT *
FROM final
-- The red list first, each list's entries in order, its total last.
ORDER BY list DESC, pos NULLS LAST
