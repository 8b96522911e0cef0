-- The heads of both lists in one query (the 简报 page): the first $rows entries
-- of red_list.sql and of black_list.sql, each in its list's order, and how many
-- entries each whole list has. Both lists judge the same rows (`placed`), which
-- are computed once here instead of once per list, and the reason texts are
-- built for the first entries only.
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
    -- A top-N over the listed rows (only these are ordered), numbered in order.
    SELECT h.*,
           row_number() OVER (ORDER BY
           -- @include ranking_order.sql
           ) AS pos
    FROM (
        SELECT * FROM red_flagged WHERE listed
        ORDER BY
        -- @include ranking_order.sql
        LIMIT $rows
    ) h
),
black_candidates AS (
    -- The black list's entries before their reason texts: the listed present
    -- branches (flags kept for the texts) and the B4 entries (texts fixed).
    SELECT f.county, f.township, f.branch, f.rank, f.stars, f.score, f.task_rate,
           f.b1, f.b2, f.b3, f.b5, f.unit_word, f.prev_stars, f.overdue, f.unscored,
           NULL::VARCHAR[] AS b4_reasons, NULL::VARCHAR AS b4_reason_text
    FROM black_flagged f
    WHERE f.listed
    UNION ALL
    SELECT m.county, m.township, m.branch, m.rank, m.stars, m.score, m.task_rate,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, m.reasons, m.reason_text
    FROM black_missing m
    UNION ALL
    SELECT e.county, e.township, e.branch, e.rank, e.stars, e.score, e.task_rate,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, e.reasons, e.reason_text
    FROM black_expected e
),
black_head AS (
    SELECT h.*,
           row_number() OVER (ORDER BY
           -- @include black_order.sql
           ) AS pos
    FROM (
        SELECT * FROM black_candidates
        ORDER BY
        -- @include black_order.sql
        LIMIT $rows
    ) h
),
final AS (
    SELECT 'red' AS list, f.county, f.township, f.branch,
           -- @include red_reasons.sql
           ,
           f.rank, f.stars, f.score, f.pos, NULL::BIGINT AS total
    FROM red_head f
    UNION ALL
    SELECT 'black', f.county, f.township, f.branch,
           -- @include black_reasons.sql
           ,
           f.rank, f.stars, f.score, f.pos, NULL
    FROM black_head f
    WHERE f.b4_reason_text IS NULL
    UNION ALL
    SELECT 'black', county, township, branch, b4_reasons, b4_reason_text, rank, stars, score, pos, NULL
    FROM black_head
    WHERE b4_reason_text IS NOT NULL
    UNION ALL
    SELECT 'red', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM red_flagged WHERE listed
    UNION ALL
    SELECT 'black', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM black_candidates
)
SELECT *
FROM final
-- The red list first, each list's entries in order, its total last.
ORDER BY list DESC, pos NULLS LAST
