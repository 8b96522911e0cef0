-- Shared fragment (CTEs after snapshot_current.sql and list_rows.sql; not run on
-- its own): the 黑榜 entries of the current period, unordered, as `black_entries`:
-- one row per branch (or per township for a township-level B4) with every reason
-- it qualifies (black_list.sql, list_heads.sql).
-- Extra parameters: $black_min (B1 township size), $overdue_min (B3),
--   $stag_k (B5 window length in months), $cur_word/$prev_word/$prev2_word,
--   $prev2_grain/$prev2_start (the period before the previous one: B4 without a register).
black_flagged AS (
    SELECT j.*,
           -- B1 黑旗: bottom-ranked branch (all tied at the last rank) of a township with ≥ $black_min
           -- branches: its key is the township's worst.
           -- Each rule only for the period kinds it is configured for ($on_b1 … $on_b5,
           -- cadence.md §4: black_flag_periods — by default quarters only —, list_rule_periods).
           $on_b1 AND j.score_key = j.town_worst AND j.town_size >= $black_min AS b1,
           -- B2 降星: stars decreased since the previous period (only that one).
           $on_b2 AND j.in_prev AND j.stars < j.prev_stars AS b2,
           -- B3 逾期: $overdue_min or more overdue tasks (overdue = tasks of the
           -- snapshot month with deadline ≤ that month's last day and done = false).
           $on_b3 AND j.overdue >= $overdue_min AS b3,
           -- B5 停滞: stagnant over the window and not attained now. Stagnant: the B5
           -- window (the snapshot month and the $stag_k - 1 calendar months before
           -- it) lies inside the branch's stagnation run: rows in every month of the
           -- window, stars equal in all, and tasks_done equal in all (unknown in all
           -- months counts as equal; known in some months only does not). The run
           -- starts at same_since (snapshot table).
           $on_b5 AND date_diff('month', j.same_since, j.period) + 1 >= $stag_k AND NOT j.attained AS b5,
           -- On the list: any of the four (B4 entries are the branches missing now).
           b1 OR b2 OR b3 OR b5 AS listed
    FROM placed j
),
black_present AS (
    SELECT f.county, f.township, f.branch,
           -- @include black_reasons.sql
           ,
           f.rank, f.stars, f.score, f.task_rate
    FROM black_flagged f
    WHERE f.listed
),
cur_other_type AS (
    -- With a branch_type filter only: branches present now at a month of the
    -- filtered type that is not their latest row (their type changed inside the quarter).
    SELECT county, township, branch FROM cur_rows WHERE NOT is_latest
),
cur_townships AS (
    SELECT DISTINCT county, township FROM cur_rows
),
missing AS (
    -- B4 未报送: present in the previous period (in scope), missing in this one:
    -- no latest row now (in_next, kept by the store) of a type in the scope, and
    -- no row of the filtered type either.
    SELECT p.county, p.township, p.branch,
           t.township IS NULL AS whole_township
    FROM prev_rows p
    LEFT JOIN cur_other_type o ON o.county = p.county AND o.township = p.township AND o.branch = p.branch
    LEFT JOIN cur_townships t ON t.county = p.county AND t.township = p.township
    WHERE $on_b4
      AND NOT (p.in_next AND ($branch_type::VARCHAR IS NULL OR p.next_type = $branch_type::VARCHAR))
      AND o.branch IS NULL
),
black_missing AS (
    -- A branch of a township that did report: one entry per branch.
    SELECT m.county, m.township, m.branch, ['B4'] AS reasons,
           $prev_word || '已报送，' || $cur_word || '未报送' AS reason_text,
           NULL::BIGINT AS rank, NULL::INTEGER AS stars, NULL::DOUBLE AS score, NULL::DOUBLE AS task_rate
    FROM missing m
    WHERE NOT m.whole_township
    UNION ALL
    -- A township previously present with no rows at all now: one township-level
    -- entry with branch NULL instead of one per branch.
    SELECT DISTINCT m.county, m.township, NULL::VARCHAR AS branch, ['B4'] AS reasons,
           $prev_word || '已报送，' || $cur_word || '全' ||
           CASE WHEN m.township LIKE '%街道' OR m.township LIKE '%办事处' THEN '街道'
                WHEN m.township LIKE '%镇' OR m.township LIKE '%乡' THEN '乡镇'
                ELSE '乡镇（街道）' END || '未报送' AS reason_text,
           NULL::BIGINT, NULL::INTEGER, NULL::DOUBLE, NULL::DOUBLE
    FROM missing m
    WHERE m.whole_township
),
register_counties AS (
    -- Counties with a register (register.md §1).
    SELECT DISTINCT county FROM v_register
    WHERE ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
),
expected_towns AS (
    -- B4 by the expected townships (register.md §3). In a county with a register: its
    -- registered townships (a branch not 撤并, of the scope's type), listed when they have
    -- no rows now even if they never submitted. In a county without one: the townships
    -- present in the period before the previous one (those present in the previous one
    -- are `missing` above).
    SELECT DISTINCT r.county, r.township, 'register' AS why
    FROM v_register r
    WHERE r.status <> '撤并'
      AND ($county::VARCHAR IS NULL OR r.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR r.township = $township::VARCHAR)
      AND ($branch_type::VARCHAR IS NULL OR r.branch_type = $branch_type::VARCHAR)
    UNION
    SELECT DISTINCT s.county, s.township, 'prev2' AS why
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql prev2
      AND s.county NOT IN (SELECT county FROM register_counties)
),
black_expected AS (
    -- An expected township with no rows at all now, not already a township-level entry
    -- above: one township-level entry (branch NULL).
    SELECT e.county, e.township, NULL::VARCHAR AS branch, ['B4'] AS reasons,
           CASE WHEN e.why = 'register' THEN '已列入支部名册，' || $cur_word
                ELSE $prev2_word || '已报送，' || $prev_word || '、' || $cur_word END || '全' ||
           CASE WHEN e.township LIKE '%街道' OR e.township LIKE '%办事处' THEN '街道'
                WHEN e.township LIKE '%镇' OR e.township LIKE '%乡' THEN '乡镇'
                ELSE '乡镇（街道）' END || '未报送' AS reason_text,
           NULL::BIGINT AS rank, NULL::INTEGER AS stars, NULL::DOUBLE AS score, NULL::DOUBLE AS task_rate
    FROM (SELECT county, township, min(why) AS why FROM expected_towns GROUP BY county, township) e
    LEFT JOIN cur_townships t ON t.county = e.county AND t.township = e.township
    WHERE $on_b4  -- B4 only for the period kinds it is configured for (cadence.md §4)
      AND t.township IS NULL
      AND NOT EXISTS (SELECT 1 FROM missing m
                      WHERE m.whole_township AND m.county = e.county AND m.township = e.township)
),
black_entries AS (
    SELECT * FROM black_present
    UNION ALL
    SELECT * FROM black_missing
    UNION ALL
    SELECT * FROM black_expected
)
