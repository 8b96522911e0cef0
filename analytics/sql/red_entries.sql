-- Shared fragment (CTEs after snapshot_current.sql and list_rows.sql; not run on
-- its own): the 红榜 entries of the current period, unordered, as `red_entries`:
-- one row per branch with every reason it qualifies (red_list.sql, list_heads.sql).
-- Extra parameters: $top_n (R2), $red_min (R1 township size),
--   $cur_word/$prev_word ('本月'/'上月' or '本季度'/'上季度').
red_flagged AS (
    SELECT j.*,
           -- R1 红旗: top-ranked branch (all tied at 1) of a township with ≥ $red_min branches:
           -- its key is the township's best.
           -- Each rule only for the period kinds it is configured for ($on_r1 … $on_r4,
           -- cadence.md §4: red_flag_periods, list_rule_periods).
           $on_r1 AND j.score_key = j.town_best AND j.town_size >= $red_min AS r1,
           -- R2 前十: ranked $top_n or better in the scope (a tie at N lets more in).
           $on_r2 AND j.rank <= $top_n AS r2,
           -- R3 晋星: stars increased since the previous period (only that one).
           $on_r3 AND j.in_prev AND j.stars > j.prev_stars AS r3,
           -- R4 达标: attained now; present before without having attained the
           -- target it had then (no target then = not attained).
           $on_r4 AND j.in_prev AND j.attained AND NOT j.prev_attained AS r4,
           -- On the list: any of the four.
           r1 OR r2 OR r3 OR r4 AS listed
    FROM placed j
),
red_entries AS (
    SELECT f.county, f.township, f.branch,
           -- @include red_reasons.sql
           ,
           f.rank, f.stars, f.score, f.task_rate, f.name_order
    FROM red_flagged f
    WHERE f.listed
)
