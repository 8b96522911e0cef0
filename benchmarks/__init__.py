"""Benchmarks (not tests): ``python -m benchmarks [ingest|analytics|browser] [--quick]``.

Nothing here asserts a time. Each group measures, prints a table, writes
``benchmarks/results/<group>.json`` (``--quick`` writes to ``benchmarks/data/quick/``
instead) and, on a full run, refreshes its table in ``docs/benchmarks.md``.
"""
