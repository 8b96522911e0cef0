-- Per-star distribution of the current period: for each slot, how many
-- branches are achieved / in_progress / not_started / unknown (NULL).
WITH
-- @include snapshot.sql
,
cur AS (
    SELECT * FROM scored WHERE which = 'cur'
),
total AS (
    SELECT count(*) AS branches FROM cur
),
statuses AS (
    SELECT * FROM (VALUES (1, 'achieved', '已达标'), (2, 'in_progress', '创建中'),
                          (3, 'not_started', '未启动'), (4, 'unknown', '未填报')) t(pos, status, status_label)
),
slots AS (
    SELECT s AS slot FROM range(1, 6) t(s)
),
combos AS (
    -- Branches per combination of the five statuses (at most 4^5 rows), so the
    -- per-slot split below runs over combinations, not over every branch.
    SELECT c.star_1, c.star_2, c.star_3, c.star_4, c.star_5, count(*) AS n
    FROM cur c
    GROUP BY ALL
),
cells AS (
    -- One value per branch × slot; a blank star cell (NULL) is "unknown".
    SELECT sl.slot,
           coalesce([c.star_1, c.star_2, c.star_3, c.star_4, c.star_5][sl.slot], 'unknown') AS status,
           c.n
    FROM combos c CROSS JOIN slots sl
),
counts AS (
    SELECT slot, status, CAST(sum(n) AS BIGINT) AS n FROM cells GROUP BY ALL
),
final AS (
    SELECT sl.slot::INTEGER AS slot, st.status, st.status_label, st.pos,
           coalesce(c.n, 0) AS count,
           CASE WHEN t.branches > 0 THEN coalesce(c.n, 0) / t.branches END AS share
    FROM slots sl
    CROSS JOIN statuses st
    CROSS JOIN total t
    LEFT JOIN counts c ON c.slot = sl.slot AND c.status = st.status
)
SELECT slot, status, status_label, count, share
FROM final
ORDER BY slot, pos
