-- Shared fragment (an ORDER BY list, not run on its own): the 黑榜's order.
-- Worst first: rank descending, then stars, task_rate (unknown first) and the
-- names in code-point order; B4 entries (no rank) last, by name with a
-- township-level entry (branch NULL) before its township's branches.
rank DESC NULLS LAST, stars, task_rate NULLS FIRST,
county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary" NULLS FIRST
