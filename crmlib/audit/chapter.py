"""The case-study chapter that rereads the "Jiangsu S company" thesis: its sections as tables, figures and prose.

``notebooks/case_study_s_company.ipynb`` shows one section per cell: :class:`ThesisChapter` computes each
section from the transcription (:func:`crmlib.datasets.load_thesis_tables`) and the audit specification
(``data/thesis_audit.yml``) and returns its :class:`Part` objects (a heading or paragraph, a table, a
figure), whose words come from a message catalogue (:mod:`crmlib.i18n`) in English or Traditional Chinese;
:func:`show` displays them through a :class:`crmlib.style.Captioner`.

References
----------
Brown, N. J. L. & Heathers, J. A. J. (2017). The GRIM test. *Social Psychological and Personality
Science* 8(4), 363-369 (the feasible sample sizes of thesis Table 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ..i18n import Catalogue
from .findings import findings_frame, worst_severity
from .percentages import feasible_counts, feasible_sample_sizes, implied_responses, reproduced_counts
from .study import TableAudit, rerounded

__all__ = ["Part", "ThesisChapter", "show"]


@dataclass
class Part:
    """One thing a chapter shows: ``kind`` ``"text"`` (markdown), ``"table"`` (a DataFrame) or ``"figure"``.

    ``caption`` and ``n`` go to the Captioner; ``options`` are further keywords of
    :meth:`crmlib.style.Captioner.table` (``labels``, ``floatfmt``, ``note``).
    """

    kind: str
    body: Any
    caption: str = ""
    n: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


def show(parts: Iterable[Part], cap) -> None:
    """Display a chapter's parts in order: markdown, numbered tables (``cap.table``) and figures (``cap.figure``).

    Parameters
    ----------
    parts : the parts of one section; cap : the notebook's :class:`crmlib.style.Captioner`.

    References
    ----------
    IPython, ``IPython.display.Markdown``, https://ipython.readthedocs.io/
    """
    from IPython.display import Markdown, display

    for part in parts:
        if part.kind == "text":
            display(Markdown(part.body))
        elif part.kind == "table":
            cap.table(part.body, part.caption, part.n, **part.options)
        elif part.kind == "figure":
            cap.figure(part.body, part.caption, part.n)
        else:
            raise DataError(f"parameter 'parts': unknown part kind {part.kind!r} (text, table or figure)")


def _text(body: str) -> Part:
    return Part("text", body)


class ThesisChapter:
    """The audit of the thesis's printed numbers, section by section, in the catalogue's language.

    Parameters
    ----------
    messages : the chapter's catalogue (``load_catalogue("case_study", language)``).
    tables, spec, tiers : the transcription, the audit specification and thesis Table 3
        (:func:`crmlib.datasets.load_thesis_tables`, :func:`load_spec` of ``thesis_audit.yml``,
        :func:`crmlib.datasets.load_thesis_tiers`).
    n_max : largest sample size (persons) searched for the base of thesis Table 1.
    table1_decimals : ``None`` (Table 1 as printed) or fewer decimals to re-round it to (a sensitivity).
    rounding : rounding convention of the checks (``"nearest"``, ``"truncate"``, ``"either"``).
    advertising : the reading (yuan) of the garbled advertising cost of thesis Table 4.

    Attributes
    ----------
    study : the :class:`~crmlib.audit.TableAudit` that keeps every finding.

    References
    ----------
    Brown & Heathers (2017), the GRIM test; the checks of :mod:`crmlib.audit`.
    """

    def __init__(
        self,
        messages: Catalogue,
        tables: pd.DataFrame,
        spec,
        tiers: pd.DataFrame,
        *,
        n_max: int = 1000,
        table1_decimals: int | None = None,
        rounding: str = "nearest",
        advertising: float = 12532,
    ):
        self.m, self.tables, self.spec, self.tiers = messages, tables, spec, tiers
        self.readings = spec.readings["table4.cost_advertising_survey"]  # yuan: two readings of a garbled figure
        if advertising not in self.readings.values():
            raise DataError(
                f"parameter 'advertising' must be one of {sorted(self.readings.values())}, got {advertising}"
            )
        self.advertising = advertising
        self.other_reading = next(x for x in self.readings.values() if x != advertising)
        self.n_max, self.table1_decimals, self.rounding = n_max, table1_decimals, rounding
        ad = {"table4.cost_advertising_survey": advertising}
        self.study = TableAudit(tables, spec, rounding=rounding, overrides=ad)
        keys = ["sent", "returned", "invalid", "valid", "valid_rate"]
        self.sv = self.study.values({k: f"survey.{k}" for k in keys})
        self._table1()

    # ---- helpers ------------------------------------------------------------------------------------------------
    def heading(self, key: str, level: int = 2) -> Part:
        """A section heading from the catalogue (``key``), at markdown ``level``."""
        return _text(f"{'#' * level} {self.m(key)}")

    def findings_table(self, frame: pd.DataFrame, caption: str, n: int | None = None) -> Part:
        """Findings with the check and severity in words and the item in the catalogue's language.

        English shows the check's message; Traditional Chinese the value the other printed numbers imply and
        the value printed (the checks write their messages in English).
        """
        m = self.m
        items = m.labels("items")
        missing = sorted(set(frame["item"]) - set(items))
        if missing:
            raise DataError(f"catalogue {m.name}.{m.language} has no text for the audit items {missing}")
        out = pd.DataFrame(
            {
                "item": frame["item"].map(items),
                "check": frame["check"].map(lambda c: m(f"checks.{c}")),
                "severity": frame["severity"].astype(str).map(lambda s: m(f"severity.{s}")),
            }
        )
        if m.language == "en":
            out["message"] = frame["message"].to_numpy()
        else:
            plain = frame["check"].isin(["agreement", "chronology"]).to_numpy()  # years and dates, not amounts
            units = m.labels("units")  # a unit compared as text ("yuan", "usd") in the reader's words
            for col in ("expected", "reported"):
                out[col] = [units.get(v, v) if isinstance(v, str) else _cell(v, p) for v, p in zip(frame[col], plain)]
        return Part("table", out.reset_index(drop=True), caption, n, {"labels": m.labels("labels.findings")})

    # ---- sections -----------------------------------------------------------------------------------------------
    def introduction(self) -> list[Part]:
        """The chapter's opening, Section 1 and the table of printed numbers by place of print."""
        m, p = self.m, self.tables
        from ..datasets.overview import printed_by_place

        places = printed_by_place(p)
        places["units"] = places["units"].map(lambda u: m("s1.unit_sep").join(m(f"units.{x}") for x in u.split(", ")))
        places.index = places.index.map(lambda t: m(f"places.{t}"))
        labels = {"table": m("labels.place"), "numbers": m("labels.numbers"), "units": m("labels.units")}
        return [
            _text(m("intro.lead")),
            self.heading("s1.heading"),
            _text(m("s1.body")),
            Part("table", places.rename_axis("table"), m("s1.table"), len(p), {"labels": labels}),
            _text(m("s1.after", numbers=len(p), places=p["table"].nunique())),
        ]

    @property
    def valid_share_of_sent(self) -> float:
        """Valid questionnaires as a percentage of those sent (percent)."""
        return 100 * self.sv["valid"] / self.sv["sent"]

    def survey(self) -> list[Part]:
        """Section 2: the survey account, as reported and recomputed on its bases, and its audit."""
        from ..survey import accounting

        m, sv = self.m, self.sv
        account = accounting.response_accounting(sv["sent"], sv["returned"], sv["invalid"])
        account.insert(0, "reported_n", sv.drop("valid_rate").reindex(account.index))
        account.insert(1, "reported_pct", pd.Series({"valid": sv["valid_rate"]}).reindex(account.index))
        account.index = account.index.map(lambda k: m(f"survey_rows.{k}"))
        from ..style import number_text

        opts = {"labels": m.labels("labels.survey"), "floatfmt": number_text, "note": m("s2.note")}
        values = {k: sv[k] for k in ["sent", "returned", "invalid", "valid", "valid_rate"]}
        return [
            self.heading("s2.heading"),
            Part("table", account.rename_axis(None), m("s2.table"), int(sv["sent"]), opts),
            self.audit_table("survey", "s2.audit"),
            _text(
                m(
                    "s2.text",
                    **values,
                    valid_of_sent=self.valid_share_of_sent,
                    returned_of_sent=100 * sv["returned"] / sv["sent"],
                )
            ),
        ]

    def figure1(self) -> pd.DataFrame:
        """Thesis Figure 1: counts, printed percentages and the percentages on two bases (persons, percent)."""
        v = self.study.value
        f1 = pd.DataFrame(
            {
                "count": [v("figure1.know_crm@count"), v("figure1.do_not_know_crm@count")],
                "reported": [v("figure1.know_crm@percent"), v("figure1.do_not_know_crm@percent")],
            },
            index=["know", "do_not_know"],
        )
        f1["pct_of_sum"] = 100 * f1["count"] / f1["count"].sum()
        f1["pct_of_valid"] = 100 * f1["count"] / self.sv["valid"]
        return f1

    def figures(self) -> list[Part]:
        """Section 3: thesis Figures 1 and 2, the figure of Figure 1's counts, and their audit."""
        from .percentages import feasible_counts as fc

        m, sv, f1 = self.m, self.sv, self.figure1()
        total = int(f1["count"].sum())
        shown = f1.set_axis([m("s3.row_know"), m("s3.row_do_not_know")])
        labels = m.labels("labels.figure1") | {"pct_of_valid": m("labels.figure1.pct_of_valid", valid=sv["valid"])}
        fig2 = self.study.value("figure2.sales_staff_ignore_customer_management")
        fits = {n: fc([fig2], n, 0).iloc[0] for n in (sv["valid"], sv["returned"])}
        a, b = fits[sv["valid"]], fits[sv["returned"]]
        text = m(
            "s3.text",
            know=int(f1.iloc[0, 0]),
            do_not_know=int(f1.iloc[1, 0]),
            total=total,
            valid=sv["valid"],
            returned=sv["returned"],
            know_valid=f1.iloc[0, 3],
            do_not_know_valid=f1.iloc[1, 3],
            fig2=fig2,
            valid_min=a["k_min"],
            valid_max=a["k_max"],
            returned_min=b["k_min"],
            returned_max=b["k_max"],
        )
        opts = {"labels": labels, "floatfmt": "{:,.2f}"}
        return [
            self.heading("s3.heading"),
            Part("table", shown, m("s3.table"), total, opts),
            Part("figure", self._figure1_plot(f1), m("s3.figure"), total),
            self.audit_table("figures", "s3.audit"),
            _text(text),
        ]

    def _figure1_plot(self, f1: pd.DataFrame):
        import matplotlib.pyplot as plt

        from ..style import PALETTE, label_axes

        m, sv = self.m, self.sv
        fig, ax = plt.subplots(figsize=(7, 3.6))
        bar = m("s3.fig_counts")
        ax.bar([bar], [f1.loc["know", "count"]], label=m("s3.row_know"))
        ax.bar([bar], [f1.loc["do_not_know", "count"]], bottom=[f1.loc["know", "count"]], label=m("s3.row_do_not_know"))
        ax.bar([m("s3.fig_valid"), m("s3.fig_returned")], [sv["valid"], sv["returned"]], color=PALETTE[6])
        ax.legend(loc="upper right")
        label_axes(ax, m("s3.fig_x"), m("s3.fig_y"))
        return fig

    def _table1(self) -> None:
        refs = self.spec.sections["table1"][0]["percentages"]  # label -> reference
        dec = [self.study.decimals(r) for r in refs.values()]
        if self.table1_decimals is not None and self.table1_decimals < min(dec):  # sensitivity to rounding
            self.study.overrides.update(rerounded(self.tables, refs, self.table1_decimals))
        self.t1_refs = refs
        self.t1 = self.study.values(refs)
        self.t1_dec = [self.study.decimals(r) for r in refs.values()]
        self.t1_n = feasible_sample_sizes(self.t1, self.t1_dec, self.n_max, rounding=self.rounding)
        self.n_star = int(self.t1_n[0]) if self.t1_n.size else int(self.sv["valid"])
        found = self.t1_n.size > 0
        self.responses = (
            implied_responses(self.t1, self.n_star, self.t1_dec, rounding=self.rounding) if found else (0, 0)
        )

    def table1(self) -> list[Part]:
        """Section 4: thesis Table 1 recomputed on the smallest feasible base and on the valid sample, its audit,
        and the figure of how many percentages each N reproduces."""
        m, sv, t1, n_star = self.m, self.sv, self.t1, self.n_star
        fc = feasible_counts(t1, n_star, self.t1_dec, rounding=self.rounding)
        k_valid = np.round(t1.to_numpy() * sv["valid"] / 100)
        table = pd.DataFrame(
            {
                "reported": t1.to_numpy(),
                "count_star": fc["k_min"].to_numpy(),
                "pct_star": 100 * fc["k_min"].to_numpy() / n_star,
                "count_valid": k_valid.astype(int),
                "pct_valid": 100 * k_valid / sv["valid"],
            },
            index=[self.motive(k) for k in t1.index],
        )
        fields = {"n_star": n_star, "valid": sv["valid"]}
        labels = {k: v.format(**fields) for k, v in m.labels("labels.table1").items()}
        note = m("s4.note", n_max=self.n_max, decimals=max(self.t1_dec), rounding=self.rounding_word())
        if self.table1_decimals is not None:
            note += m("s4.note_rerounded", decimals=self.table1_decimals)
        opts = {"labels": labels, "floatfmt": "{:,.2f}", "note": note}
        return [
            self.heading("s4.heading"),
            Part("table", table, m("s4.table"), n_star, opts),
            self.audit_table("table1", "s4.audit", n_max=self.n_max),
            Part("figure", self._table1_plot(), m("s4.figure", n_max=self.n_max)),
            _text(self._table1_text()),
        ]

    def motive(self, label: str) -> str:
        """The catalogue's wording of a motive of thesis Table 1."""
        return self.m(f"motives.{label.replace(' ', '_')}")

    def rounding_word(self) -> str:
        """The rounding convention in the catalogue's words."""
        return self.m(f"rounding.{self.rounding}")

    def _table1_plot(self):
        import matplotlib.pyplot as plt

        from ..style import PALETTE, label_axes

        m, sv, t1, t1_n = self.m, self.sv, self.t1, self.t1_n
        per_n = reproduced_counts(t1, self.t1_dec, self.n_max, rounding=self.rounding)
        fig, ax = plt.subplots(figsize=(8, 3.6))
        some = per_n[per_n["reproduced"] > 0]  # the N that reproduce none would be a solid band of points at 0
        ax.scatter(some.index, some["reproduced"], s=4, color=PALETTE[6], label=m("s4.fig_each_n"))
        ax.scatter(t1_n, np.full(t1_n.size, len(t1)), s=40, color=PALETTE[0], label=m("s4.fig_all"), zorder=3)
        for n, key, ha in [(sv["valid"], "s4.fig_valid", "right"), (sv["returned"], "s4.fig_returned", "left")]:
            ax.axvline(n, color=PALETTE[1], lw=1, ls="--")
            ax.annotate(f" {m(key, n=n)} ", (n, len(t1) + 0.5), color=PALETTE[1], fontsize=9, ha=ha)
        ax.set_ylim(-0.3, len(t1) + 1.6)
        ax.set_yticks(range(len(t1) + 1))
        ax.legend(loc="upper right", ncol=2)
        label_axes(ax, m("s4.fig_x"), m("s4.fig_y"))
        return fig

    def _table1_text(self) -> str:
        m, sv, t1, t1_n = self.m, self.sv, self.t1, self.t1_n
        shown = ", ".join(f"{n:,}" for n in t1_n[:12])
        if t1_n.size > 12:
            shown += m("s4.more", count=t1_n.size)
        feasible = m("s4.feasible_some", shown=shown) if t1_n.size else m("s4.feasible_none")
        stated = [m(f"s4.stated_{k}", n=sv[k]) for k in ("valid", "returned") if sv[k] in t1_n]
        fit = m("s4.fit", stated=m("s4.and").join(stated)) if stated else m("s4.fit_none", **self._sv())
        base = m("s4.base", n=self.n_star, responses=self.responses[0], per=self.responses[0] / self.n_star)
        return m(
            "s4.text",
            total=t1.sum(),
            n_max=self.n_max,
            rounding=self.rounding_word(),
            feasible=feasible,
            fit=fit,
            base=base if t1_n.size else "",
            top=self.motive(t1.idxmax()),
            top_pct=t1.max(),
        )

    def _sv(self) -> dict[str, Any]:
        return {k: self.sv[k] for k in self.sv.index}

    def table2(self) -> tuple[list[Part], pd.DataFrame]:
        """Section 5: thesis Table 2 with the recomputed difference (percentage points), the dates and their audit."""
        from ..datasets import load_thesis_profit_rates

        m, v = self.m, self.study.value
        t2 = load_thesis_profit_rates(self.tables)[["with", "without"]]
        t2["difference"] = t2["with"] - t2["without"]
        boom, slump = t2["difference"].loc[["boom", "recession"]]
        shown = t2.set_axis([m(f"s5.row_{k}") for k in t2.index]).rename_axis(m("labels.table2.condition"))
        first = min(int(r.rsplit("_", 1)[1]) for r in self.spec.sections["table4"][1]["parts"] if "basic" in r)
        self.t2_dates = {
            "founded": v("text.company_founded"),
            "founded_alt": v("text.company_founded_in_table2_text"),
            "crm_from": v("text.crm_implemented_from"),
            "crm_to": v("text.crm_implemented_to"),
            "first_year": first,
        }
        self.t2_diff = (boom, slump)
        opts = {"labels": m.labels("labels.table2"), "floatfmt": "{:,.0f}", "note": m("s5.note")}
        return [
            self.heading("s5.heading"),
            Part("table", shown, m("s5.table"), None, opts),
            self.audit_table("table2", "s5.audit"),
            _text(m("s5.text", boom=boom, slump=slump, **self.t2_dates)),
        ], t2

    def table3(self) -> list[Part]:
        """Section 6: thesis Table 3 (tiers and service types, in the catalogue's language), and its audit."""
        m = self.m
        zh = m.language != "en"
        cols = ["strategy", "marketing", "sales", "service"]
        shown = pd.DataFrame(
            {c: self.tiers[f"{c}_zh" if zh else c].to_numpy() for c in cols},
            index=self.tiers["tier_zh" if zh else "tier"].to_numpy(),
        ).rename_axis("tier")
        self.study.run("table3")
        opts = {"labels": m.labels("labels.table3"), "note": m("s6.note")}
        return [
            self.heading("s6.heading"),
            Part("table", shown, m("s6.table"), len(self.tiers), opts),
            _text(m("s6.text", tiers=len(self.tiers))),
        ]

    def table4(self) -> list[Part]:
        """Section 7: thesis Table 4 with its totals recomputed under both readings, the ratio under every reading,
        a figure of printed totals against row sums, and its audit (yuan)."""
        from ..style import number_text
        from .arithmetic import ratio_readings

        m, study, spec = self.m, self.study, self.spec
        self.t4 = t4 = study.values(
            {i: f"table4.{i}" for i in self.tables.loc[self.tables["table"] == "table4", "item"]}
        )
        cost_refs, rev_refs = (spec.sections["table4"][k]["parts"] for k in (0, 1))  # the rows of each side
        ad = "table4.cost_advertising_survey"
        self.cost_sum = {r: study.total(cost_refs, {ad: x}) for r, x in self.readings.items()}
        self.rev_sum = rev_sum = study.total(rev_refs)
        row = self.row_label
        rows = [(row(r), study.value(r), np.nan) for r in cost_refs]
        rows += [
            (m("s7.cost_total", reading=r, value=f"{self.readings[r]:,}"), t4["cost_total"], self.cost_sum[r])
            for r in self.readings
        ]
        rows += [(row(r), study.value(r), np.nan) for r in rev_refs]
        rows += [(m("s7.revenue_total"), t4["revenue_total"], rev_sum)]
        table = pd.DataFrame(rows, columns=["row", "reported", "recomputed"]).set_index("row")
        self.ratio_ref = ratio_ref = "table4.cost_benefit_ratio"
        self.ratios = study_ratios = ratio_readings(
            {m("s7.ratio_revenue_printed"): t4["revenue_total"], m("s7.ratio_revenue_rows"): rev_sum},
            {m("s7.ratio_cost_printed"): t4["cost_total"]}
            | {m("s7.ratio_cost_rows", reading=r): x for r, x in self.cost_sum.items()},
            study.value(ratio_ref),
            study.decimals(ratio_ref),
            rounding=self.rounding,
        )
        ratios = study_ratios.assign(ratio=study_ratios["ratio"].round(3))
        labels = m.labels("labels.table4")
        printed = study.value(ratio_ref)
        audit = self.audit_table("table4", "s7.audit", advertising=f"{self.advertising:,}")
        self.alt = study.check("table4", overrides={ad: self.other_reading})[0]  # the other reading
        return [
            self.heading("s7.heading"),
            Part(
                "table",
                table,
                m("s7.table"),
                None,
                {
                    "labels": labels,
                    "floatfmt": number_text,
                    "note": m("s7.note", advertising=f"{self.advertising:,}"),
                },
            ),
            Part(
                "table", ratios, m("s7.ratio_table", printed=printed), None, {"labels": labels, "floatfmt": number_text}
            ),
            Part("figure", self._table4_plot(), m("s7.figure")),
            audit,
            _text(self._table4_text()),
        ]

    def audit_table(self, section: str, key: str, **fields) -> Part:
        """Run an audit section (keeping its findings) and return them as a reader's table.

        ``key`` is the caption's catalogue key; ``n_max`` in ``fields`` goes to the checks; every field fills in
        the caption."""
        settings = {"n_max": fields["n_max"]} if "n_max" in fields else {}
        found = self.study.check(section, **settings)
        self.study.add(found)
        return self.findings_table(findings_frame(found), self.m(key, **fields))

    def row_label(self, ref: str) -> str:
        """A row of thesis Table 4 in the catalogue's language (the thesis's own wording in Chinese)."""
        item = ref.split(".")[1]
        if self.m.language == "en":
            return item.replace("_", " ")
        return str(
            self.tables.loc[(self.tables["table"] == "table4") & (self.tables["item"] == item), "label_zh"].iloc[0]
        )

    def _table4_plot(self):
        import matplotlib.pyplot as plt

        from ..style import label_axes

        m, t4, a = self.m, self.t4, self.cost_sum["A"]
        fig, ax = plt.subplots(figsize=(7, 3.6))
        x = np.arange(2)
        ax.bar(x - 0.2, [t4["cost_total"] / 1e6, t4["revenue_total"] / 1e6], width=0.4, label=m("s7.fig_printed"))
        ax.bar(x + 0.2, [a / 1e6, self.rev_sum / 1e6], width=0.4, label=m("s7.fig_rows"))
        ax.set_xticks(x, [m("s7.fig_cost"), m("s7.fig_revenue")])
        ax.set_ylim(0, 1.3 * max(t4["cost_total"], t4["revenue_total"], a, self.rev_sum) / 1e6)
        ax.legend(loc="upper left", ncol=2)
        label_axes(ax, m("s7.fig_x"), m("s7.fig_y"))
        return fig

    def _table4_text(self) -> str:
        t4, r = self.t4, self.ratios["ratio"]
        return self.m(
            "s7.text",
            cost_a=self.cost_sum["A"],
            cost_b=self.cost_sum["B"],
            cost_total=t4["cost_total"],
            alt_severity=self.m(f"severity.{self.alt.severity}"),
            alt_gap=self.alt.details["gap"],
            rev_sum=self.rev_sum,
            revenue_total=t4["revenue_total"],
            rev_gap=t4["revenue_total"] - self.rev_sum,
            printed=self.study.value(self.ratio_ref),
            ratio_printed=t4["revenue_total"] / t4["cost_total"],
            ratio_min=r.min(),
            ratio_max=r.max(),
            basic_2015=t4["revenue_basic_2015"],
            basic_2016=t4["revenue_basic_2016"],
        )

    def table5(self) -> list[Part]:
        """Section 8: thesis Table 5 (USD as printed) with recomputed differences and yearly increases, and its audit."""
        import matplotlib.pyplot as plt

        from ..datasets import load_thesis_customer_values
        from ..style import PALETTE, label_axes, number_text

        m = self.m
        self.t5 = t5 = load_thesis_customer_values(self.tables)  # year x (without, with, difference)
        t5["recomputed"] = t5["with"] - t5["without"]
        t5["increase_with"] = t5["with"].diff()
        t5["increase_without"] = t5["without"].diff()
        fig, ax = plt.subplots(figsize=(7, 3.8))
        for s in ["without", "with"]:
            ax.plot(t5.index, t5[s] / 1000, marker="o", label=m(f"s8.fig_{s}"))
        ax.fill_between(t5.index, t5["without"] / 1000, t5["with"] / 1000, alpha=0.15, color=PALETTE[0])
        ax.set_xticks(t5.index)
        ax.legend(loc="upper left")
        label_axes(ax, m("s8.fig_x"), m("s8.fig_y"))
        y3 = int(t5.index.max())
        units = self.tables.groupby("table")["unit"].agg(lambda u: sorted(set(u) - {"ratio"})[0])
        text = m(
            "s8.text",
            without=t5.loc[y3, "without"],
            with_=t5.loc[y3, "with"],
            year=y3,
            unit5=m(f"units.{units['table5']}"),
            unit4=m(f"units.{units['table4']}"),
        )
        opts = {"labels": m.labels("labels.table5"), "floatfmt": number_text}
        return [
            self.heading("s8.heading"),
            Part("table", t5, m("s8.table"), None, opts),
            self.audit_table("table5", "s8.audit"),
            Part("figure", fig, m("s8.figure")),
            _text(text),
        ]

    def findings(self) -> list[Part]:
        """Section 9: findings by severity, the distinct issues they come to, and every inconsistency."""
        m, study = self.m, self.study
        everything, counts = study.frame(), study.counts()
        by_severity = pd.DataFrame({"findings": counts.to_numpy()}, index=[m(f"severity.{s}") for s in counts.index])
        problems = everything[everything["severity"].isin(["warning", "error"])]
        issues = self.issues()
        issue_table = issues.assign(
            issue=issues["issue"].map(lambda k: m(f"issues.{k}")),
            severity=issues["severity"].map(lambda s: m(f"severity.{s}")),
        ).set_index("issue")
        labels = m.labels("labels.findings")
        text = m(
            "s9.text",
            findings=len(everything),
            ok=counts["ok"],
            info=counts["info"],
            warning=counts["warning"],
            error=counts["error"],
            issues=len(issues),
            issue_errors=int((issues["severity"] == "error").sum()),
        )
        return [
            self.heading("s9.heading"),
            Part("table", by_severity.rename_axis("severity"), m("s9.counts"), len(everything), {"labels": labels}),
            Part("table", issue_table, m("s9.issues"), len(issues), {"labels": labels}),
            self.findings_table(problems, m("s9.problems"), len(problems)),
            _text(text),
        ]

    def issues(self) -> pd.DataFrame:
        """The distinct problems the warnings and errors come to (one row per issue of the specification's
        ``issues``): ``issue``, ``findings`` (count) and the worst ``severity`` among them."""
        found = [f for f in self.study.findings if not f.consistent]
        rows: list[dict[str, Any]] = []
        seen: set[int] = set()
        for issue, items in self.spec.issues.items():
            mine = [f for f in found if any(f.item == i or f.item.startswith(f"{i}:") for i in items)]
            seen.update(id(f) for f in mine)
            if mine:
                rows.append({"issue": issue, "findings": len(mine), "severity": worst_severity(mine)})
        stray = sorted({f.item for f in found if id(f) not in seen})
        if stray:
            raise DataError(f"parameter 'spec': the issues of the specification do not cover the findings {stray}")
        return pd.DataFrame(rows, columns=["issue", "findings", "severity"])

    def implications(self) -> list[Part]:
        """Section 10: what the findings imply for each of the thesis's conclusions, one bullet each."""
        m, sv, f1, t1_n = self.m, self.sv, self.figure1(), self.t1_n
        t1_ok = bool(np.isin([sv["valid"], sv["returned"]], t1_n).any())
        crm_first = worst_severity([f for f in self.study.findings if f.item.startswith("CRM period")]) == "error"
        boom, slump = self.t2_diff
        r = self.ratios
        t1_key = "s10.table1_ok" if t1_ok else ("s10.table1_smallest" if t1_n.size else "s10.table1_none")
        smallest = int(t1_n[0]) if t1_n.size else 0
        bullets = [
            m("s10.survey", valid_of_sent=self.valid_share_of_sent, **self._sv()),
            m("s10.figure1", pct=f1.iloc[1, 1], count=int(f1.iloc[1, 0]), total=int(f1["count"].sum()), **self._sv()),
            m(t1_key, n_max=self.n_max, smallest=smallest, **self._sv()),
            m("s10.table2", boom=boom, slump=slump)
            + (m("s10.table2_dates", **self.t2_dates) if crm_first else "")
            + m("s10.table2_end"),
            m(
                "s10.table4",
                printed=self.study.value(self.ratio_ref),
                can=m("s10.can" if r["prints_as_reported"].any() else "s10.cannot"),
                direction=m("s10.exceeds" if (r["ratio"] > 1).all() else "s10.not_exceeds"),
                ratio_min=r["ratio"].min(),
                ratio_max=r["ratio"].max(),
            ),
            m("s10.table5", gain=self.t5.loc[self.t5.index.max(), "difference"], year=int(self.t5.index.max())),
        ]
        return [self.heading("s10.heading"), _text("\n".join(f"- {b}" for b in bullets))]

    def settings(self, extra: dict[str, Any]) -> Part:
        """Appendix A's table of parameters: the audit's, then ``extra`` (catalogue key -> value)."""
        m = self.m
        values = {
            "n_max": self.n_max,
            "decimals": ", ".join(map(str, self.t1_dec)),
            "rounding": self.rounding_word(),
            "advertising": f"{self.advertising:,}",
            "other_reading": f"{self.other_reading:,}",
        } | extra
        frame = pd.DataFrame({"value": [str(v) for v in values.values()]}, index=[m(f"settings.{k}") for k in values])
        return Part(
            "table",
            frame.rename_axis("parameter"),
            m("appendix.settings"),
            None,
            {"labels": m.labels("labels.appendix")},
        )

    def rest(self) -> list[Part]:
        """Appendix B: the findings that are consistent (ok) or rest on an assumption (info)."""
        found = self.study.frame()
        rest = found[~found["severity"].isin(["warning", "error"])]
        return [self.heading("appendix.b_heading"), self.findings_table(rest, self.m("appendix.b_table"), len(rest))]


def _cell(value: Any, plain: bool = False) -> str:
    """A finding's expected or reported value as table text: numbers without needless decimals, and with
    thousands separators unless ``plain`` (a year)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        if v.is_integer():
            return f"{v:.0f}" if plain else f"{v:,.0f}"
        return f"{v:,.4g}"
    return str(value)
