"""``crmlib new DIR``: a study folder for a researcher's own data, away from the repository.

The folder gets ``reports.yml`` (every analysis notebook shipped with crmlib,
with the parameters that name data - ``dataset``, files, codebooks, columns,
formats - ready to fill in, and the others listed as comments with their
defaults), an empty ``data/`` folder and a ``README.md`` with the next steps.
``crmlib report`` run in the folder renders the set into ``DIR/reports/`` with
the notebooks of the installed crmlib. The template is made from the shipped
notebooks' parameters cells, so it follows the notebooks as they change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .._bundled import bundled_dir
from .params import notebook_parameters

__all__ = ["new_study", "study_config"]

# parameters that say which data an analysis reads: set live in the template
_DATA_WORDS = re.compile(
    r"^(dataset|data|codebook|model|customer_id|date|amount|read_options|date_format|encoding|delimiter|sheet|decimal|thousands)$"
    r"|(_file|_path|_column|_columns|dataset)$"
)
_SKIP = re.compile(r"^case_study_")  # studies of one thesis, not analyses of a researcher's data


def _title(nb_path: Path) -> str:
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return nb_path.stem


def study_config() -> str:
    """The text of a study's ``reports.yml``: one entry per shipped analysis notebook.

    Returns
    -------
    str
        YAML with comments; data parameters set to the notebook defaults (the
        bundled data) for the user to replace, the other parameters commented out.

    References
    ----------
    papermill's ``inspect_notebook``, https://papermill.readthedocs.io/en/latest/usage-inspect.html
    """
    lines = [
        "# The reports of this study: `crmlib report` (all) or `crmlib report NAME` renders them into reports/.",
        "# Each entry runs one of crmlib's notebooks with these parameters. Put your files in data/ and",
        "# point the parameters marked '<- your data' at them (paths are relative to this folder).",
        "# Parameters left as comments keep the default shown; uncomment one to change it.",
        "# Delete the entries you do not need; list a notebook twice (two names) to run it twice.",
        "defaults:",
        "  hide_code: true",
        "  timeout: 1800",
        "reports:",
    ]
    folder = bundled_dir("notebooks")
    for nb in sorted(folder.glob("*.ipynb")):
        if _SKIP.match(nb.stem):
            continue
        name = re.sub(r"^\d+_", "", nb.stem)
        declared = notebook_parameters(nb)
        lines += [f"  - name: {name}", f"    notebook: {nb.name}", f"    title: {json.dumps(_title(nb))}"]
        live, commented = [], []
        for pname, p in declared.items():
            literal = p["literal"]
            value = json.dumps(p["default"], ensure_ascii=False) if literal else p["source"]
            helptext = f"  # {p['help']}" if p["help"] else ""
            if _DATA_WORDS.search(pname) and literal:
                live.append(f"      {pname}: {value}  # <- your data{': ' + p['help'] if p['help'] else ''}")
            else:
                commented.append(f"      # {pname}: {value}{helptext}")
        lines.append("    parameters:" if live or commented else "    parameters: {}")
        lines += live + commented
    return "\n".join(lines) + "\n"


_README = """# {name}: a crmlib study

Made with `crmlib new` (crmlib {version}). The analyses are crmlib's notebooks; this folder holds
your data, the parameters of each report and the rendered reports.

    reports.yml   the reports: which analysis, on which data, with which parameters
    data/         your data files (transaction logs, surveys, codebooks)
    reports/      the rendered reports, made by `crmlib report` (index.html lists them)

## Next steps

1. Check the set-up on the data bundled with crmlib:
   `crmlib report data_overview`, then open `reports/index.html`.
2. Copy your files into `data/` (CSV, Excel, Parquet; surveys also SPSS `.sav` and Stata `.dta`).
3. Edit `reports.yml`: point the parameters marked `<- your data` at your files
   (`dataset: data/orders.xlsx`), set the columns and date format your files use, and delete the
   analyses you do not need. Every parameter is checked against its notebook before anything runs:
   a misspelt name or a value of the wrong type is an error that names it.
4. Render: `crmlib report` (all) or `crmlib report clv` (one). Try a value without editing the file:
   `crmlib report clv -p calibration_end 1997-09-30`, or several from a file: `-f params.yml`.
5. Each report also writes its key figures and the parameters used to `reports/<name>.json`.
"""


def new_study(folder: str | os.PathLike) -> Path:
    """Create a study folder with ``reports.yml``, ``data/`` and ``README.md``.

    Parameters
    ----------
    folder : the folder to create; it must not exist or be empty.

    Returns
    -------
    Path
        The study folder (absolute).

    Raises
    ------
    FileExistsError
        ``folder`` exists and is not empty (nothing is overwritten).

    References
    ----------
    papermill, "Parameterize", https://papermill.readthedocs.io/en/latest/usage-parameterize.html
    """
    from .. import __version__

    path = Path(folder).resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FileExistsError(f"{str(path)!r} exists and is not an empty folder; choose a new folder name")
    config = study_config()
    (path / "data").mkdir(parents=True, exist_ok=True)
    (path / "reports.yml").write_text(config, encoding="utf-8")
    (path / "README.md").write_text(_README.format(name=path.name, version=__version__), encoding="utf-8")
    return path
