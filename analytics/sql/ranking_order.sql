-- Shared fragment (an ORDER BY list, not run on its own): the ranking's order.
-- Ties share the rank and are listed by stars desc, task_rate desc (unknown
-- last), then name in Unicode code-point order (branch, township, county:
-- name_order, kept by the store).
rank, stars DESC, task_rate DESC NULLS LAST, name_order
