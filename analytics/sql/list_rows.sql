-- Shared fragment (CTEs after snapshot_current.sql; not run on its own): the
-- rows the 红黑榜 judge (red_entries.sql and black_entries.sql follow it), as `placed`: every
-- branch of the current period in the scope with its rank there and its
-- township's branch count and best/worst ranking key (this period, in scope).
placed AS (
    SELECT s.*, r.rank, t.town_size, t.town_best, t.town_worst,
           -- The township's own word for itself in reason texts.
           CASE WHEN s.township LIKE '%街道' OR s.township LIKE '%办事处' THEN '街道'
                WHEN s.township LIKE '%镇' OR s.township LIKE '%乡' THEN '乡镇'
                ELSE '乡镇（街道）' END AS unit_word
    FROM scored s
    -- Rank in the scope (competition ranking on the unrounded score).
    JOIN scope_rank r ON r.score_key = s.score_key
    JOIN town_stats t ON t.county = s.county AND t.township = s.township
)
