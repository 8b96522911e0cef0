-- The two ends of branch_ranking.sql (a briefing's "前 N 名" and "后 M 名"):
-- its first $top rows (part 'top') and its last $bottom rows (part 'bottom'),
-- each in ranking order; they overlap when the scope has fewer than $top +
-- $bottom branches. Only these rows are ordered (two top-N selections).
WITH
-- @include snapshot_current.sql
,
-- @include branch_ranking_rows.sql
,
top_rows AS (
    SELECT 'top' AS part, * FROM ranked_rows
    ORDER BY
    -- @include ranking_order.sql
    LIMIT $top
),
bottom_rows AS (
    -- The ranking order reversed: the last rows first.
    SELECT 'bottom' AS part, * FROM ranked_rows
    ORDER BY rank DESC, stars, task_rate NULLS FIRST, name_order DESC
    LIMIT $bottom
),
final AS (
    SELECT * FROM top_rows
    UNION ALL
    SELECT * FROM bottom_rows
)
SELECT * EXCLUDE (name_order)
FROM final
-- Each part in the ranking order, the top first.
ORDER BY part DESC,
-- @include ranking_order.sql
