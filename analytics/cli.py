"""Handlers of ``python -m analytics`` sub-commands (argument parsing is in __main__)."""

from __future__ import annotations

import argparse


def cmd_ingest(args: argparse.Namespace) -> int:
    raise NotImplementedError  # filled in by the ingest work (analytics.ingest)


def cmd_uploads(args: argparse.Namespace) -> int:
    raise NotImplementedError


def cmd_rollback(args: argparse.Namespace) -> int:
    raise NotImplementedError


def cmd_report(args: argparse.Namespace) -> int:
    from analytics.report import run_report

    return run_report(args)


def cmd_init_demo(args: argparse.Namespace) -> int:
    raise NotImplementedError


def cmd_clear_demo(args: argparse.Namespace) -> int:
    raise NotImplementedError


def cmd_make_samples(args: argparse.Namespace) -> int:
    from analytics.sample_data import write_samples

    write_samples(args.out_dir)
    return 0
