"""The ``crmlib`` command line.

``crmlib report [NAME ...] [-p NAME VALUE]... [-f params.yml]... [--config FILE] [--jobs N]
[--hide-code | --show-code] [--list]`` renders the report set (or the named
reports) and writes ``reports/index.html``. The configuration is
``reports/reports.yml`` or ``reports.yml`` in the current folder unless
``--config`` names one. ``-p``/``-f`` override parameters of the reports run,
as in papermill (the value of ``-p`` is read as YAML; ``-p`` wins over ``-f``,
both over reports.yml).

``crmlib new DIR`` makes a study folder (reports.yml, data/, README.md).

Exit status: 0 when every report rendered, 1 when any failed, 2 for a bad
command line, configuration or parameter (nothing ran), 128 + the signal number
when SIGINT (130) or SIGTERM (143) stopped the run.
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
    r.add_argument(
        "--config", default=None, help="report configuration (default: reports/reports.yml or reports.yml here)"
    )
    r.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter of the reports run (VALUE read as YAML: 200, 0.1, true, 1997-09-30, [a, b])",
    )
    r.add_argument(
        "-f",
        "--parameters-file",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML mapping of parameters for the reports run (before -p)",
    )
    r.add_argument("--jobs", "-j", type=int, default=1, help="notebooks executed at once (default: %(default)s)")
    r.add_argument("--out-dir", default=None, help="output folder (default: the project's reports/)")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--hide-code", dest="hide_code", action="store_true", default=None, help="hide code in every report")
    g.add_argument("--show-code", dest="hide_code", action="store_false", help="show code in every report")
    r.add_argument("--list", action="store_true", help="list the configured reports and exit")
    n = sub.add_parser("new", help="make a study folder: reports.yml for your data, data/, README.md")
    n.add_argument("folder", help="the folder to create (must not exist, or be empty)")
    return p


def _overrides(args) -> dict:
    from .params import CommandLineText, check_name, read_parameter_file

    given: dict = {}
    for path in args.parameters_file:
        given.update(read_parameter_file(path))
    for name, text in args.parameter:
        given[check_name(name, "-p")] = CommandLineText(text)  # read once each notebook's parameter type is known
    return given


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crmlib`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "new":
            from .study import new_study

            folder = new_study(args.folder)
            print(f"crmlib new: study folder {folder} made; next steps in {folder / 'README.md'}")
            return 0
        from .runner import ReportsInterrupted, load_config, run_reports

        if args.list:
            from .runner import find_config

            for spec in load_config(args.config or find_config()):
                print(f"{spec.name:28s} {spec.notebook.name:34s} {spec.parameters}")
            return 0
        overrides = _overrides(args)
        try:
            results = run_reports(
                args.config,
                args.names,
                jobs=args.jobs,
                out_dir=args.out_dir,
                hide_code=args.hide_code,
                parameters=overrides,
            )
        except ReportsInterrupted as stop:
            return stop.exit_code
    except KeyboardInterrupt:  # Ctrl-C before any worker started: nothing to stop
        print(f"crmlib {args.command}: interrupted", file=sys.stderr)
        return 130
    except (DataError, FileExistsError, NotADirectoryError) as exc:
        print(f"crmlib {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
