-- Shared fragment (a join, not run on its own): the per-star counts `s` of the snapshot
-- report of the branch `c` for star $slot — branch_star, kept by the store from the
-- current task and problem rows (tasks done / accepted / overdue, open and overdue
-- problems, the people named). No row: the report has no task or problem of that star.
LEFT JOIN branch_star s
  ON s.county = c.county AND s.township = c.township AND s.branch = c.branch
 AND s.period = c.source_period AND s.period_kind = c.source_kind AND s.star_slot = $slot::INTEGER
 -- (a weekly report counted in a month may start up to 6 days before it)
 AND s.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end
