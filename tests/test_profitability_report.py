"""The profitability report on a researcher's own log file (issue 13 point 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmlib import datasets
from crmlib.report.cli import main

CONFIG = Path(__file__).resolve().parents[1] / "reports" / "reports.yml"


def _render(out: Path, *params: str) -> tuple[dict, str]:
    pairs = [a for i in range(0, len(params), 2) for a in ("-p", params[i], params[i + 1])]
    status = main(["report", "--config", str(CONFIG), "--out-dir", str(out), "profitability", *pairs])
    assert status == 0
    record = json.loads((out / "profitability.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok", record["error"]
    return record["figures"], (out / "profitability.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_profitability_report_on_a_csv_file_gives_the_bundled_sample_figures(tmp_path):
    # the CDNOW sample written as a researcher's export: other headers, ';', decimal commas, day-first dates;
    # read through the notebook's parameters it must give the key figures of the bundled sample, and a log
    # without amounts must render with the money sections skipped
    log = datasets.load_cdnow("sample")
    mine = log[["customer_id", "date", "amount"]].set_axis(["Kunde", "Kaufdatum", "Umsatz"], axis=1)
    mine["Kaufdatum"] = mine["Kaufdatum"].dt.strftime("%d.%m.%Y")
    mine["Umsatz"] = mine["Umsatz"].map(lambda v: f"{v:.2f}".replace(".", ","))
    csv = tmp_path / "my_log.csv"
    mine.to_csv(csv, sep=";", index=False, encoding="utf-8-sig")
    columns = ("customer_id", "Kunde", "date", "Kaufdatum", "amount", "Umsatz")
    options = (
        "read_options",
        "{date_format: '%d.%m.%Y', delimiter: ';', decimal: ','}",
    )  # YAML: '%...', ';', ',' quoted
    got, page = _render(tmp_path / "mine", "dataset", str(csv), *columns, *options, "value_terms", "{currency: USD}")
    ref, ref_page = _render(tmp_path / "bundled", "dataset", "cdnow_sample")
    for figures in (got, ref):
        figures["n_customers"].pop("description")  # names the data set
    assert got == ref and len(got) == 18 and ref["n_customers"]["value"] == 2357
    assert "CDNOW" not in page.split("Data.</strong>", 1)[1].split("Table 1", 1)[0] and str(csv) in page
    assert "The CDNOW log (cdnow_sample)" in ref_page
    bare, page = _render(
        tmp_path / "bare",
        "dataset",
        str(csv),
        *columns[:4],
        "amount",
        "null",
        "read_options",
        "{date_format: '%d.%m.%Y', delimiter: ';'}",
    )
    assert set(bare) == {"n_customers", "thesis_table4_bcr_from_totals"} and bare["n_customers"]["value"] == 2357
    skipped = "<em>Skipped: this section needs the amounts the log does not have.</em>"
    assert page.count(skipped) == 6 and skipped not in ref_page
