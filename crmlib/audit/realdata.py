"""Sections 11-12 of the case-study chapter: the analyses the thesis lacks, done on real bundled data.

:class:`RealDataChapter` fits what ``notebooks/case_study_s_company.ipynb`` shows after the audit: the
reliability and satisfaction model of the mobi survey (PLS path model), customer tiers by residual CLV on
CDNOW with their holdout behaviour, the customer-equity reconciliation across methods, retention by tier,
and the seed papers' quantitative claims tested where the data allow. Each method returns
:class:`~crmlib.audit.chapter.Part` objects in the language of its catalogue (:mod:`crmlib.i18n`).

References
----------
Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M. & Lauro, C. (2005). PLS path modeling. *CSDA* 48(1), 159-205.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
Science* 24(2), 275-284.
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. *Journal of Interactive Marketing* 17(1), 9-24.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import Catalogue
from .chapter import Part, _text

__all__ = ["RealDataChapter"]


class RealDataChapter:
    """The real-data sections of the case study, in the language of ``messages``.

    Parameters
    ----------
    messages : the chapter's catalogue (:func:`crmlib.i18n.load_catalogue`).
    n_boot : bootstrap resamples of the PLS model (count); seed : its seed.
    cdnow_subset : ``"sample"`` or ``"master"``; calibration_end : last day of the CLV calibration period.
    value_terms : changes to crmlib's shared value terms (:class:`crmlib.spec.ValueTerms`).
    tier_rule : ``"thesis"`` (the thesis's three tiers, shares assumed) or ``"pyramid"``.
    inactivity_days : days without a purchase that define churn (days).

    Attributes
    ----------
    key_figures : name -> value of the numbers the report records (filled as sections run).

    References
    ----------
    Fader, Hardie & Lee (2005); Gupta & Lehmann (2003); Tenenhaus et al. (2005).
    """

    def __init__(
        self,
        messages: Catalogue,
        *,
        n_boot: int = 200,
        seed: int = 2026,
        cdnow_subset: str = "sample",
        calibration_end: str = "1997-09-30",
        value_terms: dict[str, Any] | None = None,
        tier_rule: str = "thesis",
        inactivity_days: int = 180,
    ):
        from .._checks import check_choice
        from ..spec import ValueTerms

        self.m = messages
        self.n_boot, self.seed = n_boot, seed
        self.cdnow_subset, self.calibration_end = cdnow_subset, calibration_end
        self.terms = ValueTerms.from_mapping(value_terms or {})
        self.tier_rule = check_choice(tier_rule, "tier_rule", ("thesis", "pyramid"))
        check_choice(cdnow_subset, "cdnow_subset", ("sample", "master"))
        self.inactivity_days = inactivity_days
        self.key_figures: dict[str, Any] = {}

    def terms_text(self) -> str:
        """The value terms in the catalogue's words (margin share, annual discount rate, horizon)."""
        t, m = self.terms, self.m
        horizon = m("s11.whole_life") if t.horizon_years is None else m("s11.years", years=t.horizon_years)
        return m("s11.terms", margin=t.margin_share, rate=t.discount_rate, horizon=horizon)

    def subset_text(self) -> str:
        """The CDNOW subset (``"sample"``, ``"master"``) in the catalogue's words."""
        return self.m(f"subsets.{self.cdnow_subset}")

    def tier_name(self, name: str) -> str:
        """A tier's name in the catalogue's words."""
        return self.m(f"tiers.{name}")

    # ---- 11.1 ------------------------------------------------------------------------------------------------
    def survey(self) -> list[Part]:
        """Section 11 opening and 11.1: reliability of each construct and the PLS paths into satisfaction and
        loyalty on the mobi survey, with percentile bootstrap intervals."""
        from ..survey import pls_path_model, read_model, read_survey, reliability

        m = self.m
        model = read_model("ecsi")  # data/models/ecsi.yml
        sat, loy = model.role("satisfaction"), model.role("loyalty")
        mobi = read_survey("mobi", strict=False)
        cb = mobi.codebook
        pls = pls_path_model(
            mobi.data, model, n_boot=self.n_boot, seed=self.seed, scale_min=cb.scale_min, scale_max=cb.scale_max
        )
        rel = reliability.construct_reliability(pls)
        into = pls.paths[pls.paths["to"].isin([sat, loy])].set_index(["from", "to"])[
            ["estimate", "lower", "upper", "p"]
        ]
        top = into.xs(sat, level="to").sort_values("estimate", ascending=False).iloc[0]
        multi = rel.loc[rel["n_items"] > 1, "alpha_standardised"]
        self.key_figures["mobi_r2_satisfaction"] = round(float(pls.r2[sat]), 4)
        text = m(
            "s11.survey_text",
            n=pls.n,
            alpha_min=multi.min(),
            alpha_min_at=multi.idxmin(),
            alpha_max=multi.max(),
            alpha_max_at=multi.idxmax(),
            r2=float(pls.r2[sat]),
            driver=top.name,
            path=top["estimate"],
            lower=top["lower"],
            upper=top["upper"],
        )
        paths_caption = m("s11.paths", sat=sat, loy=loy, draws=self.n_boot, seed=self.seed)
        return [
            self.m_heading("s11.heading", 2),
            _text(m("s11.body")),
            self.m_heading("s11.h1", 3),
            Part("table", rel, m("s11.reliability"), pls.n, {"labels": m.labels("labels.reliability")}),
            Part("table", into, paths_caption, pls.n, {"labels": m.labels("labels.paths")}),
            _text(text),
        ]

    def m_heading(self, key: str, level: int) -> Part:
        """A heading from the catalogue."""
        return _text(f"{'#' * level} {self.m(key)}")

    # ---- 11.2 ------------------------------------------------------------------------------------------------
    def tiers(self) -> list[Part]:
        """11.2: the chosen transaction model's and Gamma-Gamma's parameters, tiers by residual CLV with their
        holdout purchases and spend (currency units), and the figure of customer and value shares by tier."""
        from .. import datasets, equity, segment, transactions
        from ..exceptions import DataWarning

        m = self.m
        self.log = datasets.load_cdnow(self.cdnow_subset)  # type: ignore[arg-type]  # checked in __init__
        with warnings.catch_warnings():  # zero amounts and duplicate rows are kept and counted in attrs
            warnings.simplefilter("ignore", DataWarning)
            self.rft = rft = transactions.summarize(self.log, calibration_end=self.calibration_end)
        self.ce = ce = equity.cohort_equity(rft, self.terms)  # the CLV report's models and choice
        spend = ce.spend_model
        params = pd.concat({ce.chosen: ce.fits[ce.chosen].summary(), "Gamma-Gamma": spend.summary()})
        params = params.rename_axis(["model", "parameter"])
        rules = {"pyramid": segment.PYRAMID, "thesis": segment.TierRule(**datasets.load_thesis_tier_rule())}
        rule = rules[self.tier_rule]
        self.tier = segment.assign_tiers(ce.values["clv"], rule)
        extra = rft[["frequency_holdout", "monetary_holdout"]]
        self.profile = profile = segment.tier_profile(ce.values["clv"], self.tier, extra=extra)
        cols = ["customers", "customer_share", "total", "value_share", "mean"]
        shown = profile[cols + ["mean_frequency_holdout", "mean_monetary_holdout"]].copy()
        shown.index = pd.Index([self.tier_name(t) for t in shown.index], name="tier")
        money = self.terms.currency
        labels = {k: v.format(money=money) for k, v in m.labels("labels.tiers").items()}
        cuts = rule.cuts
        common = {"subset": self.subset_text(), "end": self.calibration_end}
        tier_caption = m("s11.tiers_table", rule=m(f"rules.{self.tier_rule}"), top=cuts[0], next=cuts[1] - cuts[0])
        note = m(
            "s11.params_note",
            chosen=ce.chosen,
            repeat=spend.n_customers_,
            left_out=int(getattr(spend, "n_nonpositive_", 0)),
        )
        t_top = profile.index[0]
        t_low = profile.index[profile["customers"] > 0][-1]  # an empty tier is kept in the profile
        self.t_top, self.t_low = t_top, t_low
        self.key_figures["cdnow_customer_equity"] = round(ce.customer_equity, 2)
        text = m(
            "s11.tiers_text",
            top_share=profile.loc[t_top, "customer_share"],
            top=self.tier_name(t_top),
            top_value=profile.loc[t_top, "value_share"],
            money=money,
            equity=ce.customer_equity,
            terms=self.terms_text(),
            end=self.calibration_end,
            top_freq=profile.loc[t_top, "mean_frequency_holdout"],
            low_freq=profile.loc[t_low, "mean_frequency_holdout"],
            low=self.tier_name(t_low),
        )
        popts = {"labels": m.labels("labels.params"), "floatfmt": "{:,.3f}", "note": note}
        return [
            self.m_heading("s11.h2", 3),
            Part("table", params, m("s11.params", chosen=ce.chosen, **common), len(rft), popts),
            Part("table", shown, tier_caption, len(rft), {"labels": labels, "floatfmt": "{:,.2f}"}),
            Part("figure", self._tier_plot(), m("s11.tiers_figure", subset=self.subset_text()), len(rft)),
            _text(text),
        ]

    def _tier_plot(self):
        import matplotlib.pyplot as plt

        from ..style import label_axes

        m, profile = self.m, self.profile
        fig, ax = plt.subplots()
        x = np.arange(len(profile))
        ax.bar(x - 0.2, 100 * profile["customer_share"], width=0.4, label=m("s11.fig_customers"))
        ax.bar(x + 0.2, 100 * profile["value_share"], width=0.4, label=m("s11.fig_clv"))
        ax.set_xticks(x, [self.tier_name(t) for t in profile.index])
        ax.set_ylim(0, 115)
        ax.legend(loc="upper center", ncol=2)
        label_axes(ax, m("s11.fig_x", rule=m(f"rules.{self.tier_rule}")), m("s11.fig_y"))
        return fig

    def reconciliation(self) -> list[Part]:
        """11.2, continued: customer equity of the same customers by every method (buy-till-you-die models and
        the recency Markov chain of Pfeifer & Carraway 2000, lapsed customers returning or not), currency units."""
        from .. import equity

        m, ce = self.m, self.ce
        chains = {"open": False, "closed": True}
        end = self.calibration_end
        markov = {
            m(f"s11.chain_{k}"): equity.markov_equity(self.log, self.terms, absorbing=a, observation_end=end)
            for k, a in chains.items()
        }
        rec = equity.reconciliation(ce, markov)
        rec.index = rec.index.str.replace("recency Markov chain, ", m("s11.chain_prefix"), regex=False)
        shown = rec.assign(relative=100 * rec["relative"])
        money = self.terms.currency
        labels = {k: v.format(money=money) for k, v in m.labels("labels.reconciliation").items()}
        bt = ce.table["customer_equity"]
        m_open, m_closed = (x.customer_equity for x in markov.values())
        caption = m(
            "s11.rec_table", subset=self.subset_text(), end=end, terms=self.terms_text(), chosen=rec.attrs["chosen"]
        )
        text = m(
            "s11.rec_text",
            bt_min=bt.min(),
            bt_max=bt.max(),
            chosen=ce.chosen,
            equity=ce.customer_equity,
            mbg=bt["MBG/NBD"],
            closed=m_closed,
            open=m_open,
        )
        opts = {"labels": labels, "floatfmt": "{:,.2f}", "note": m("s11.rec_note")}
        return [
            self.m_heading("s11.rec_heading", 4),
            _text(m("s11.rec_body")),
            Part("table", shown, caption, len(self.rft), opts),
            _text(text),
        ]

    # ---- 11.3 ------------------------------------------------------------------------------------------------
    def retention(self) -> list[Part]:
        """11.3: Kaplan-Meier retention by tier (churn = ``inactivity_days`` without a purchase), with the
        log-rank test; survival at the window and at 365 days."""
        import matplotlib.pyplot as plt

        from .. import survival

        m, w = self.m, self.inactivity_days
        names = self.tier.map(self.tier_name).rename("tier")
        spells = survival.from_transactions(self.log, w).join(names, how="inner")
        km = survival.KaplanMeierBySegment().fit(spells, segment="tier")
        summary = km.summary(horizons=[w, 365])
        summary = summary.rename(columns=lambda c: c.replace("(", "_").replace(")", ""))
        labels = {k.replace("{w}", str(w)): v.format(w=w) for k, v in m.labels("labels.km").items()}
        fig, ax = plt.subplots()
        km.plot(ax, time_unit="day")
        ax.set_xlabel(m("s11.km_x"))
        ax.set_ylabel(m("s11.km_y"))
        ax.legend(title=m("labels.tiers.tier"))
        from matplotlib.ticker import FuncFormatter

        word = m("s11.km_at_risk")
        for axes in fig.axes[1:]:  # lifelines writes the numbers-at-risk table's heading in English, as tick labels
            english = axes.xaxis.get_major_formatter()
            axes.xaxis.set_major_formatter(FuncFormatter(lambda x, pos, f=english: f(x, pos).replace("At risk", word)))
        overall, _ = survival.logrank(spells, "tier")
        stat = float(overall["test_statistic"].iloc[0])
        self.key_figures["logrank_tiers_statistic"] = round(stat, 2)
        s365 = {g: float(f.survival_function_at_times(365).iloc[0]) for g, f in km.fitters_.items()}
        top, low = self.tier_name(self.t_top), self.tier_name(self.t_low)
        text = m(
            "s11.km_text", top=top, low=low, s_top=s365[top], s_low=s365[low], stat=stat, df=int(overall["df"].iloc[0])
        )
        fmt = {c: "{:,.3f}" for c in summary.columns if c.startswith("S_")} | {"median": "{:,.0f}"}
        return [
            self.m_heading("s11.h3", 3),
            Part("table", summary, m("s11.km_table", w=w), len(spells), {"labels": labels, "floatfmt": fmt}),
            Part("figure", fig, m("s11.km_figure", subset=self.subset_text()), len(spells)),
            _text(text),
        ]

    # ---- 12 --------------------------------------------------------------------------------------------------
    def claims(self) -> list[Part]:
        """Section 12: the seed papers' claims with whether the bundled data can test them and the result on
        CDNOW: the retention elasticity of CLV (Gupta & Lehmann 2003) and the share of unprofitable customers
        under an assumed cost to serve per order (currency units)."""
        from .. import equity, profit

        m, terms, money = self.m, self.terms, self.terms.currency
        lift = equity.retention_lift(self.log, terms, points=0.05)  # half-year retention measured on the log
        costs = [0.0, 2.0, 5.0, 10.0]  # cost to serve per order (ASSUMPTION: CDNOW records revenue only)
        grid = profit.concentration_sensitivity(self.log, margin_shares=[terms.margin_share], costs_per_order=costs)
        no_profit = grid["share_unprofitable"].droplevel(0)
        top_tiers = float(self.profile["value_share"].iloc[:2].sum())  # the top two tiers of 11.2
        gain = float(lift["lift"].iloc[1])
        r0, r1 = lift["retention"]
        self.key_figures["seed_retention_lift"] = round(gain, 4)
        self.key_figures["seed_share_unprofitable"] = {f"{c:g}": round(float(v), 4) for c, v in no_profit.items()}
        ranges = {"lo": no_profit.min(), "hi": no_profit.max(), "money": money, "cmin": min(costs), "cmax": max(costs)}
        results = {
            "lift": m("s12.r_lift", gain=gain, r0=r0, r1=r1),
            "unprofitable": m("s12.r_unprofitable", **ranges),
            "pyramid": m("s12.r_pyramid", share=top_tiers),
            "fortune": m("s12.r_fortune"),
        }
        rows = ["lift", "unprofitable", "pyramid", "fortune", "new_customer", "old_customer", "satisfaction", "care"]
        claims = pd.DataFrame(
            {
                "paper": [m(f"s12.paper_{k}") for k in rows],
                "testable": [m(f"s12.testable_{k}") for k in rows],
                "result": [results.get(k, "") for k in rows],
            },
            index=[m(f"s12.claim_{k}") for k in rows],
        ).rename_axis("claim")
        where = "inside" if 0.35 <= gain <= 0.95 else "below" if gain < 0.35 else "above"
        half = "not_even" if no_profit.max() < 0.4 else "only_at"
        text = m(
            "s12.text",
            r0=r0,
            at_risk=lift.attrs["at_risk"],
            terms=self.terms_text(),
            gain=gain,
            where=m(f"s12.{where}"),
            margin=terms.margin_share,
            half=m(f"s12.{half}", **ranges),
            **ranges,
        )
        return [
            self.m_heading("s12.heading", 2),
            _text(m("s12.body")),
            Part("table", claims, m("s12.table"), len(claims), {"labels": m.labels("labels.claims")}),
            _text(text),
        ]
