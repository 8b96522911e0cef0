-- Submission status (报送情况, register.md §3) of one month or week: one row per expected
-- township with its status, when its ledger was received, which upload is shown,
-- and its branches reported / registered and the registered branches missing.
-- Parameters: $kind    'month' (monthly ledgers) | 'week' (weekly ledgers, cadence.md §1)
--             $period  the month (first day) or week (Monday); $prev_1/$prev_2  the two before it
--             $county/$township  the scope (NULL = no filter; branch_type does not apply:
--                                a ledger covers a whole township)
--             $due    the month's due date (monthly_due_day of the next month)
--             $today  the day the status is judged on (未报送 is overdue after $due)
WITH
reg AS (
    -- The current register rows of the counties in scope.
    SELECT county, township, branch, status
    FROM v_register
    WHERE ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
),
reg_counties AS (
    -- Counties with a register (any current register row; the county filter only).
    SELECT DISTINCT county FROM v_register
    WHERE ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
),
registered_counts AS (
    -- Branches registered per township that are not 撤并 (merged away); shown for weeks too.
    SELECT county, township, count(*) AS branches_registered
    FROM reg
    WHERE status <> '撤并'
    GROUP BY county, township
),
registered AS (
    -- Expected where a register exists: townships with a registered branch. Only for months:
    -- weekly reporting is what some townships do on top of the monthly ledger, so a week
    -- expects the townships that reported the weeks before (`recent`).
    SELECT * FROM registered_counts WHERE $kind::VARCHAR = 'month'
),
recent AS (
    -- Expected where no register exists (and for a week, everywhere): townships with data
    -- in force in either of the two previous periods of the kind.
    SELECT DISTINCT s.county, s.township
    FROM upload_scope s
    WHERE s.kind = $kind::VARCHAR AND s.is_current AND s.period IN ($prev_1::DATE, $prev_2::DATE)
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
      AND ($kind::VARCHAR = 'week' OR s.county NOT IN (SELECT county FROM reg_counties))
),
subs AS (
    -- Every ledger submission of the kind covering a township of the scope for the period.
    SELECT s.county, s.township, s.is_current, u.upload_id, u.seq, u.state, u.uploaded_at,
           u.review_reason, u.rolled_back_at
    FROM upload_scope s
    JOIN uploads u USING (upload_id)
    WHERE s.kind = $kind::VARCHAR AND s.period = $period::DATE
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
),
per_town AS (
    SELECT county, township,
           -- Received = the submission time (uploads.uploaded_at), not the review time: a
           -- township is on time when it sent its ledger by the due date, however long the
           -- review took. Accepted: the first accepted submission still in force.
           min(uploaded_at) FILTER (WHERE state = 'accepted' AND rolled_back_at IS NULL) AS accepted_at,
           -- The accepted upload whose data is shown (the unit's current version).
           max(upload_id) FILTER (WHERE is_current) AS current_upload,
           -- The latest submission waiting for review, and the latest returned one.
           arg_max(upload_id, seq) FILTER (WHERE state = 'pending') AS pending_upload,
           max(uploaded_at) FILTER (WHERE state = 'pending') AS pending_at,
           arg_max(upload_id, seq) FILTER (WHERE state = 'returned') AS returned_upload,
           arg_max(uploaded_at, seq) FILTER (WHERE state = 'returned') AS returned_at,
           arg_max(review_reason, seq) FILTER (WHERE state = 'returned') AS returned_reason
    FROM subs
    GROUP BY county, township
),
towns AS (
    -- The expected townships, and any township that sent something for the month.
    SELECT county, township FROM registered
    UNION
    SELECT county, township FROM recent
    UNION
    SELECT county, township FROM subs
),
judged AS (
    SELECT t.county, t.township,
           -- One status per township, first that applies: an accepted upload in force
           -- (on time or late), a submission pending review, the latest one returned,
           -- else nothing received.
           CASE WHEN p.accepted_at IS NOT NULL AND p.current_upload IS NOT NULL THEN
                     CASE WHEN CAST(p.accepted_at AS DATE) <= $due::DATE THEN '已报送' ELSE '逾期报送' END
                WHEN p.pending_upload IS NOT NULL THEN '待审核'
                WHEN p.returned_upload IS NOT NULL THEN '已退回'
                ELSE '未报送' END AS status,
           CASE WHEN p.accepted_at IS NOT NULL AND p.current_upload IS NOT NULL THEN p.accepted_at
                WHEN p.pending_upload IS NOT NULL THEN p.pending_at
                ELSE p.returned_at END AS received_at,
           CASE WHEN p.accepted_at IS NOT NULL AND p.current_upload IS NOT NULL THEN p.current_upload
                WHEN p.pending_upload IS NOT NULL THEN p.pending_upload
                ELSE p.returned_upload END AS upload_id,
           CASE WHEN p.pending_upload IS NULL AND (p.accepted_at IS NULL OR p.current_upload IS NULL)
                THEN p.returned_reason END AS reason,
           r.branches_registered
    FROM towns t
    LEFT JOIN per_town p ON p.county = t.county AND p.township = t.township
    LEFT JOIN registered_counts r ON r.county = t.county AND r.township = t.township
),
shown_rows AS (
    -- The branches of the upload shown for each township (rows of every review state
    -- are kept, current or not).
    SELECT b.county, b.township, b.branch
    FROM branch_month b
    JOIN judged j ON j.upload_id = b.upload_id AND j.county = b.county AND j.township = b.township
    WHERE b.period = $period::DATE AND b.period_kind = $kind::VARCHAR
),
shown_branches AS (
    SELECT county, township, count(*) AS n FROM shown_rows GROUP BY county, township
),
missing AS (
    -- 缺报支部: registered branches (not 撤并) missing from the upload shown (an anti-join,
    -- so only the few missing names are listed and sorted); none listed when nothing was
    -- received (the whole ledger is owed).
    SELECT r.county, r.township, list(r.branch ORDER BY r.branch COLLATE "binary") AS missing_branches
    FROM reg r
    JOIN judged j ON j.county = r.county AND j.township = r.township AND j.upload_id IS NOT NULL
    LEFT JOIN shown_rows b ON b.county = r.county AND b.township = r.township AND b.branch = r.branch
    WHERE r.status <> '撤并' AND b.branch IS NULL
    GROUP BY r.county, r.township
),
final AS (
    SELECT j.county, j.township, j.status, j.received_at,
           -- Days late: a received ledger's submission date after the due date; nothing
           -- received: days past the due date as of $today (0 until then).
           CAST(greatest(date_diff('day', $due::DATE,
                                   coalesce(CAST(j.received_at AS DATE), $today::DATE)), 0) AS INTEGER) AS days_late,
           -- 未报送 past the due date is overdue.
           j.status = '未报送' AND $today::DATE > $due::DATE AS overdue,
           j.upload_id, j.reason,
           CASE WHEN j.upload_id IS NOT NULL THEN coalesce(s.n, 0) END AS branches_reported,
           j.branches_registered,
           coalesce(m.missing_branches, []) AS missing_branches,
           -- Those who owe something first.
           CASE j.status WHEN '未报送' THEN 1 WHEN '已退回' THEN 2 WHEN '待审核' THEN 3
                         WHEN '逾期报送' THEN 4 ELSE 5 END AS status_order
    FROM judged j
    LEFT JOIN shown_branches s ON s.county = j.county AND s.township = j.township
    LEFT JOIN missing m ON m.county = j.county AND m.township = j.township
)
SELECT county, township, status, received_at, days_late, overdue, upload_id, reason,
       branches_reported, branches_registered, missing_branches
FROM final
ORDER BY status_order, county COLLATE "binary", township COLLATE "binary"
