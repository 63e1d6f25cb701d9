"""The ``crmlib`` command line.

``crmlib report [NAME ...] [--config reports/reports.yml] [--jobs N] [--hide-code | --show-code] [--list]``
renders the report set (or the named reports) and writes ``reports/index.html``.
Exit status: 0 when every report rendered, 1 when any failed, 2 for a bad
command line or configuration.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..exceptions import DataError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crmlib", description="crmlib: customer-relationship research notebooks.")
    p.add_argument("--version", action="version", version=f"crmlib {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="execute notebooks with parameters and render them to HTML")
    r.add_argument("names", nargs="*", help="render only these reports (default: all)")
    r.add_argument("--config", default="reports/reports.yml", help="report configuration (default: %(default)s)")
    r.add_argument("--jobs", "-j", type=int, default=1, help="notebooks executed at once (default: %(default)s)")
    r.add_argument("--out-dir", default=None, help="output folder (default: the config's folder)")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--hide-code", dest="hide_code", action="store_true", default=None, help="hide code in every report")
    g.add_argument("--show-code", dest="hide_code", action="store_false", help="show code in every report")
    r.add_argument("--list", action="store_true", help="list the configured reports and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crmlib`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    from .runner import load_config, run_reports

    try:
        if args.list:
            for spec in load_config(args.config):
                print(f"{spec.name:28s} {spec.notebook.name:34s} {spec.parameters}")
            return 0
        results = run_reports(args.config, args.names, jobs=args.jobs, out_dir=args.out_dir, hide_code=args.hide_code)
    except DataError as exc:
        print(f"crmlib report: {exc}", file=sys.stderr)
        return 2
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
