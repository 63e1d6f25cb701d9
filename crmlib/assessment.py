"""The CRM quality self-assessment: an instrument, area and stage scores, a maturity level, gaps and priorities.

The quality-assessment model of the seed slides 003 judges a firm's customer management in six areas -
analysis & planning (customer value, behaviour such as retention and share of wallet, attitudes), proposition,
people & organisation, measurement, customer experience, and customer-management activities along seven
relationship stages (targeting, enquiry management, welcome, getting to know, development, managing problems,
win-back). ``data/crm_assessment_items.csv`` holds it as a questionnaire (English, Chinese, Korean; answers 1-5).

* :func:`load_assessment_items` reads the instrument; :func:`assessment_scores` scores answers to area and stage
  means, an overall score and a maturity level (:func:`maturity_level`); :func:`assessment_gaps` sets the area
  scores against a target profile and ranks the priorities; :func:`plot_assessment_radar` draws them.
* :func:`answers_from_log` answers the slides' data questions from a transaction log: how many years of records
  there are (three asked), whether a retention rate and customer value can be computed, and, given a contact
  log, whether segments receive distinct contact.

References
----------
Seed slides 003 (CRM and customer satisfaction): the quality-assessment model and its analysis-and-planning
    questions (是否理解和应用客户保持率? 是否计算和使用客户价值? 是否有详细的客户交易记录(至少三年以上)?
    是否根据不同的客户分组, 制定出接触策略?).
Woodcock, N., Stone, M. & Foss, B. (2003). *The Customer Management Scorecard*. Kogan Page (the Customer
    Management Assessment Tool, CMAT, whose areas the slides follow).
Paulk, M. C., Curtis, B., Chrissis, M. B. & Weber, C. V. (1993). Capability Maturity Model, version 1.1.
    *IEEE Software* 10(4), 18-27 (five maturity levels).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import check_choice, require_columns, rows_text
from .datasets import data_dir
from .exceptions import DataError

__all__ = [
    "AREAS",
    "MATURITY_CUTS",
    "MATURITY_LEVELS",
    "STAGES",
    "answers_from_log",
    "assessment_labels",
    "assessment_items_table",
    "data_answers_table",
    "assessment_gaps",
    "assessment_scores",
    "load_assessment_items",
    "maturity_level",
    "plot_assessment_profile",
    "plot_assessment_radar",
    "recovery_study",
    "simulate_answers",
]

AREAS: tuple[str, ...] = (
    "analysis_planning",
    "proposition",
    "people_organisation",
    "measurement",
    "customer_experience",
    "customer_management",
)
STAGES: tuple[str, ...] = (
    "targeting",
    "enquiry_management",
    "welcome",
    "getting_to_know",
    "development",
    "managing_problems",
    "win_back",
)
MATURITY_LEVELS: tuple[str, ...] = ("initial", "developing", "defined", "managed", "optimising")
MATURITY_CUTS: tuple[float, ...] = (1.8, 2.6, 3.4, 4.2)
"""Overall scores (1-5) at which the next maturity level begins: five equal bands of width 0.8 (crmlib's choice)."""
_SCALE = (1, 5)
LANGUAGES: tuple[str, ...] = ("en", "zh", "ko")
"""Languages of the instrument: English, Simplified Chinese, Korean (the ``wording_<language>`` columns)."""
_NAMES: dict[str, tuple[str, str, str]] = {  # English, Chinese, Korean (crmlib's translation of the slides' terms)
    "analysis_planning": ("Analysis & planning", "分析与规划", "분석 및 계획"),
    "proposition": ("Proposition", "价值主张", "가치 제안"),
    "people_organisation": ("People & organisation", "人员与组织", "인력 및 조직"),
    "measurement": ("Measurement", "衡量", "측정"),
    "customer_experience": ("Customer experience", "客户体验", "고객 경험"),
    "customer_management": ("Customer management", "客户管理活动", "고객 관리 활동"),
    "targeting": ("Targeting", "目标客户选择", "표적 고객 선정"),
    "enquiry_management": ("Enquiry management", "询问管理", "문의 관리"),
    "welcome": ("Welcome", "欢迎", "환영"),
    "getting_to_know": ("Getting to know", "了解客户", "고객 이해"),
    "development": ("Development", "客户发展", "고객 개발"),
    "managing_problems": ("Managing problems", "问题管理", "문제 관리"),
    "win_back": ("Win-back", "赢回客户", "고객 되찾기"),
    "item": ("Item", "题项", "문항"),
    "area": ("Area", "领域", "영역"),
    "stage": ("Stage", "阶段", "단계"),
    "question": ("Question", "问题", "질문"),
    "areas": ("Areas", "领域", "영역"),
    "stages": ("Customer-management stages", "客户管理阶段", "고객 관리 단계"),
    "score": ("score", "得分", "점수"),
    "target": ("target", "目标", "목표"),
}


def load_assessment_items(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The self-assessment instrument (``data/crm_assessment_items.csv`` by default), checked.

    Parameters
    ----------
    path : a file of the same layout: ``item``, ``area`` (one of :data:`AREAS`), ``stage`` (one of
        :data:`STAGES` for customer-management items, blank otherwise), ``wording_en``, ``wording_zh``,
        ``wording_ko``, ``from_data``.

    Returns
    -------
    DataFrame, one row per item (blank cells as empty text).

    References
    ----------
    Seed slides 003; Woodcock, Stone & Foss (2003).
    """
    p = os.fspath(path) if path is not None else data_dir() / "crm_assessment_items.csv"
    items = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    need = ["item", "area", "stage", "wording_en", "wording_zh", "wording_ko", "from_data"]
    require_columns(items, need, "assessment items")
    bad = ~items["area"].isin(AREAS)
    if bad.any():
        raise DataError(f"assessment items: column 'area' must be one of {list(AREAS)} in {rows_text(bad)}")
    bad = ~items["stage"].isin(("", *STAGES)) | ((items["stage"] != "") != (items["area"] == "customer_management"))
    if bad.any():
        raise DataError(
            f"assessment items: column 'stage' must name one of {list(STAGES)} for customer_management items "
            f"and be blank otherwise, in {rows_text(bad)}"
        )
    if items["item"].duplicated().any():
        raise DataError(f"assessment items: column 'item' repeats in {rows_text(items['item'].duplicated())}")
    return items


def assessment_labels(language: str = "en") -> dict[str, str]:
    """Reader's names of the areas, stages and table headings in ``language``, beside the English.

    Parameters
    ----------
    language : ``"en"`` (English only), ``"zh"`` or ``"ko"`` (English, then Chinese or Korean).

    Returns
    -------
    dict key -> label (areas, stages and their ``stage:<stage>`` score columns, ``item``, ``area``, ``stage``,
    ``question``, ``areas``, ``stages``, ``score``, ``target``), e.g. ``"analysis_planning" -> "Analysis &
    planning 분석 및 계획"`` for Korean.

    References
    ----------
    Seed slides 003 (the Chinese terms of the model); Woodcock, Stone & Foss (2003) (the English ones).
    """
    k = LANGUAGES.index(check_choice(language, "language", list(LANGUAGES)))
    out = {key: names[0] if k == 0 else f"{names[0]} {names[k]}" for key, names in _NAMES.items()}
    return {**out, **{f"stage:{st}": out[st] for st in STAGES}}


def assessment_items_table(items: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The instrument as a reader's table: item, area, stage and the question in English and in ``language``.

    Parameters
    ----------
    items : :func:`load_assessment_items`.
    language : ``"en"``, ``"zh"`` or ``"ko"``; the wording column of that language is shown beside the English.

    Returns
    -------
    DataFrame indexed by item with the columns named in ``language`` (:func:`assessment_labels`).

    References
    ----------
    Seed slides 003; Woodcock, Stone & Foss (2003).
    """
    names = assessment_labels(language)
    require_columns(items, ["item", "area", "stage", "wording_en", f"wording_{language}"], "assessment items")
    out = pd.DataFrame(
        {
            names["area"]: items["area"].map(names),
            names["stage"]: items["stage"].map(lambda v: names.get(v, "") if v else ""),
            _NAMES["question"][0]: items["wording_en"],
        }
    )
    if language != "en":
        out[_NAMES["question"][LANGUAGES.index(language)]] = items[f"wording_{language}"].to_numpy()
    out.index = pd.Index(items["item"], name=names["item"])
    return out


def data_answers_table(items: pd.DataFrame, answers: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The instrument's data questions beside their answers from the data (:func:`answers_from_log`).

    Parameters
    ----------
    items : :func:`load_assessment_items` (its ``from_data`` codes link a question to an answer).
    answers : :func:`answers_from_log` (indexed by question code: ``answer``, ``value``, ``evidence``).
    language : ``"en"``, ``"zh"`` or ``"ko"`` (the question's wording shown beside the English).

    Returns
    -------
    DataFrame indexed by item: the question(s), ``answer``, ``value`` and ``evidence``.

    References
    ----------
    Seed slides 003 (the analysis-and-planning questions).
    """
    require_columns(answers, ["answer", "value", "evidence"], "answers")
    asked = items.loc[items["from_data"] != ""]
    table = assessment_items_table(asked, language).drop(columns=assessment_labels(language)["stage"])
    found = answers.reindex(asked["from_data"].to_numpy())
    return table.assign(**{c: found[c].to_numpy() for c in ("answer", "value", "evidence")})


def maturity_level(score: float | Sequence[float] | pd.Series, cuts: Sequence[float] = MATURITY_CUTS) -> pd.Series:
    """Maturity level of overall scores: ``initial`` below ``cuts[0]``, ... ``optimising`` from ``cuts[-1]``.

    Parameters
    ----------
    score : overall self-assessment scores (1-5).
    cuts : four increasing scores at which the next of :data:`MATURITY_LEVELS` begins.

    Returns
    -------
    Categorical Series of level names (index of ``score`` when a Series).

    References
    ----------
    Paulk et al. (1993), the five maturity levels.
    """
    s = pd.Series(score, dtype="float64") if not isinstance(score, pd.Series) else score.astype("float64")
    c = np.asarray(cuts, dtype=float)
    if c.size != len(MATURITY_LEVELS) - 1 or not np.all(np.diff(c) > 0):
        raise DataError(f"cuts must be {len(MATURITY_LEVELS) - 1} increasing scores, got {list(cuts)}")
    bad = ~np.isfinite(s.to_numpy()) | (s < _SCALE[0]).to_numpy() | (s > _SCALE[1]).to_numpy()
    if bad.any():
        raise DataError(f"score must lie in [1, 5]; not in {rows_text(bad, s.index)}")
    idx = np.searchsorted(c, s.to_numpy(), side="right")
    return pd.Series(
        pd.Categorical(np.asarray(MATURITY_LEVELS, dtype=object)[idx], categories=MATURITY_LEVELS), index=s.index
    )


def assessment_scores(
    answers: pd.DataFrame, items: pd.DataFrame | None = None, *, cuts: Sequence[float] = MATURITY_CUTS
) -> pd.DataFrame:
    """Area and stage scores, the overall score and the maturity level of each assessment.

    An area's (stage's) score is the mean of its answered items; the overall score is the mean of the six area
    scores (each area counts once, however many items it has).

    Parameters
    ----------
    answers : one row per assessment (a manager, a unit, a year) with one column per item, answers 1-5
        (blank: not answered).
    items : the instrument (:func:`load_assessment_items`; default the bundled one).
    cuts : the maturity cuts (:func:`maturity_level`).

    Returns
    -------
    DataFrame indexed like ``answers``: one column per area, ``stage:<stage>`` per stage, ``overall`` and
    ``maturity``.

    Raises
    ------
    DataError
        an item missing from ``answers``, an answer outside 1-5, or an area without any answer (rows named).

    References
    ----------
    Seed slides 003; Woodcock, Stone & Foss (2003), ch. 3 (scoring by area).
    """
    items = load_assessment_items() if items is None else items
    require_columns(answers, list(items["item"]), "assessment answers")
    a = answers[list(items["item"])].apply(pd.to_numeric, errors="coerce")
    off = (a < _SCALE[0]) | (a > _SCALE[1]) | (a.isna() & answers[list(items["item"])].notna())
    if off.to_numpy().any():
        col = off.any()[lambda x: x].index[0]
        raise DataError(f"assessment answers: column {col!r} is not an answer 1-5 in {rows_text(off[col], a.index)}")
    out = pd.DataFrame(index=answers.index)
    for area in AREAS:
        cols = list(items.loc[items["area"] == area, "item"])
        out[area] = a[cols].mean(axis=1) if cols else np.nan
        empty = out[area].isna().to_numpy()
        if empty.any():
            raise DataError(
                f"assessment answers: no answer on the {area!r} items {cols} in {rows_text(empty, a.index)}"
            )
    for stage in STAGES:
        cols = list(items.loc[items["stage"] == stage, "item"])
        out[f"stage:{stage}"] = a[cols].mean(axis=1) if cols else np.nan
    out["overall"] = out[list(AREAS)].mean(axis=1)
    out["maturity"] = maturity_level(out["overall"], cuts)
    return out


def assessment_gaps(
    scores: pd.Series, target: Mapping[str, float] | pd.Series, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Gaps between one assessment's area (or stage) scores and a target profile, ranked as priorities.

    Parameters
    ----------
    scores : one assessment's scores (a row of :func:`assessment_scores`, or any Series of area scores).
    target : the target score per area or stage (1-5); the areas it names are compared.
    weights : importance per area (default 1 each); the priority is ``weight x gap``.

    Returns
    -------
    DataFrame indexed by area, sorted by priority (largest first): ``score``, ``target``, ``gap``
    (target - score; negative when above target), ``weight``, ``priority`` and ``rank`` (1 = first to improve;
    areas at or above target get no rank).

    References
    ----------
    Woodcock, Stone & Foss (2003), ch. 3 (gaps to best practice as the improvement agenda).
    """
    t = pd.Series(target, dtype="float64")
    unknown = [k for k in t.index if k not in scores.index]
    if unknown:
        raise DataError(f"target names areas that are not scored: {unknown}")
    w = pd.Series(1.0, index=t.index) if weights is None else pd.Series(weights, dtype="float64").reindex(t.index)
    if w.isna().any() or (w < 0).any():
        raise DataError(f"weights must give a number >= 0 for every target area {list(t.index)}, got {dict(w)}")
    out = pd.DataFrame({"score": scores[t.index].astype("float64"), "target": t, "weight": w})
    out["gap"] = out["target"] - out["score"]
    out["priority"] = out["weight"] * out["gap"].clip(lower=0)
    out = out.sort_values(["priority", "gap"], ascending=False, kind="stable")
    ranked = (out["priority"] > 0).to_numpy()
    out["rank"] = pd.array(np.where(ranked, np.cumsum(ranked), 0), dtype="Int64").astype("Int64")
    out.loc[~ranked, "rank"] = pd.NA
    return out[["score", "target", "gap", "weight", "priority", "rank"]]


def plot_assessment_radar(
    scores: pd.Series,
    target: Mapping[str, float] | pd.Series | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    ax=None,
):
    """A radar chart of area (or stage) scores on the 1-5 scale, with the target profile when given.

    Parameters
    ----------
    scores : one assessment's scores of the areas to draw (a Series; its index gives the spokes).
    target : the target per area, drawn dashed.
    labels : display name per area (default: the area name with spaces); ``"score"`` and ``"target"`` name the
        legend entries (:func:`assessment_labels`).
    ax : a polar matplotlib axes (default: a new figure).

    Returns
    -------
    The axes.

    References
    ----------
    Woodcock, Stone & Foss (2003): the assessment profile drawn area by area.
    """
    import matplotlib.pyplot as plt

    from .style import label_axes

    s = scores.astype("float64")
    if ax is None:
        _, ax = plt.subplots(subplot_kw={"projection": "polar"}, figsize=(6.0, 6.0))
    angles = np.linspace(0, 2 * np.pi, len(s), endpoint=False)
    closed = np.r_[angles, angles[:1]]
    ax.plot(closed, np.r_[s.to_numpy(), s.to_numpy()[:1]], marker="o", label="score")
    ax.fill(closed, np.r_[s.to_numpy(), s.to_numpy()[:1]], alpha=0.15)
    if target is not None:
        t = pd.Series(target, dtype="float64").reindex(s.index)
        ax.plot(closed, np.r_[t.to_numpy(), t.to_numpy()[:1]], linestyle="--", label="target")
    names = [(labels or {}).get(k, str(k).replace("_", " ")) for k in s.index]
    ax.set_xticks(angles)
    ax.set_xticklabels(names)
    ax.set_ylim(0, _SCALE[1])
    ax.set_yticks(range(1, _SCALE[1] + 1))
    label_axes(ax, " ", "Score (1-5)")
    ax.yaxis.labelpad = 40  # clear of the spoke labels on the left
    legend = labels or {}
    ax.legend(
        [ax.lines[0], *ax.lines[1:2]],
        [legend.get("score", "score"), *([legend.get("target", "target")] if target is not None else [])],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=2,
    )
    return ax


def plot_assessment_profile(scores: pd.Series, target: Mapping[str, float], *, language: str = "en"):
    """Two radar charts of a firm's mean scores, the areas and the customer-management stages, against the target.

    Parameters
    ----------
    scores : the firm's scores (1-5): every area of :data:`AREAS` and ``stage:<stage>`` for every stage (a row of
        :func:`assessment_scores`, or its mean over respondents).
    target : the target per area; the stages get the target of ``customer_management``.
    language : ``"en"``, ``"zh"`` or ``"ko"``: spokes, titles and legend in English and that language
        (:func:`assessment_labels`; the figure needs a CJK font, :func:`crmlib.style.cjk_font`).

    Returns
    -------
    The matplotlib Figure.

    References
    ----------
    Woodcock, Stone & Foss (2003): the assessment profile area by area and stage by stage.
    """
    import matplotlib.pyplot as plt

    names = assessment_labels(language)
    k = LANGUAGES.index(language)
    spokes = {key: f"{n[0]}\n{n[k]}" if k else n[0] for key, n in _NAMES.items()}  # two short lines per spoke
    spokes.update(score=names["score"], target=names["target"])
    require_columns(scores.to_frame().T, [*AREAS, *(f"stage:{s}" for s in STAGES)], "scores")
    missing = [a for a in AREAS if a not in target]
    if missing:
        raise DataError(f"target needs a score for every area; missing {missing}")
    fig, axes = plt.subplots(1, 2, subplot_kw={"projection": "polar"}, figsize=(13, 6.8))
    plot_assessment_radar(scores[list(AREAS)], target, labels=spokes, ax=axes[0])
    stages = scores[[f"stage:{s}" for s in STAGES]].rename(lambda k: str(k).removeprefix("stage:"))
    plot_assessment_radar(
        stages, dict.fromkeys(STAGES, float(target["customer_management"])), labels=spokes, ax=axes[1]
    )
    for ax, title in zip(axes, (names["areas"], names["stages"])):
        ax.set_title(title, pad=30)
        ax.tick_params(axis="x", pad=12)  # spoke labels clear of the outer circle
        ax.yaxis.labelpad = 75  # the score label clear of the left spoke's two lines
    fig.tight_layout()
    return fig


def simulate_answers(
    profile: Mapping[str, float],
    n_respondents: int = 8,
    *,
    seed: int | np.random.Generator,
    items: pd.DataFrame | None = None,
    noise: float = 0.7,
) -> pd.DataFrame:
    """SIMULATED self-assessment answers: each respondent answers an item at its area's true level plus noise.

    Parameters
    ----------
    profile : the true level (1-5) of each of the six areas.
    n_respondents : respondents drawn (managers of one firm).
    seed : int or numpy Generator (None refused).
    items : the instrument (default the bundled one).
    noise : standard deviation of an answer around its area's level, before rounding to 1-5 (answer units).

    Returns
    -------
    DataFrame, one row per respondent (``R1``, ``R2``, ...), one column per item, whole answers 1-5, with
    ``attrs["data_source"] = "SIMULATED"``.

    References
    ----------
    Woodcock, Stone & Foss (2003): the assessment answered by several managers of one firm.
    """
    from ._checks import as_rng, check_count, check_nonnegative

    items = load_assessment_items() if items is None else items
    rng = as_rng(seed)
    n = check_count(n_respondents, "n_respondents", minimum=1)
    sd = float(check_nonnegative(noise, "noise"))
    missing = [a for a in AREAS if a not in profile]
    if missing:
        raise DataError(f"profile needs a level for every area; missing {missing}")
    level = np.array([float(profile[a]) for a in items["area"]])
    raw = level[None, :] + rng.normal(0.0, sd, size=(n, len(items)))
    out = pd.DataFrame(np.clip(np.rint(raw), *_SCALE).astype(int), columns=list(items["item"]))
    out.index = pd.Index([f"R{i + 1}" for i in range(n)], name="respondent")
    out.attrs["data_source"] = "SIMULATED"
    return out


def recovery_study(
    profile: Mapping[str, float],
    n_runs: int,
    *,
    n_respondents: int = 8,
    target: float | Mapping[str, float] = 4.0,
    seed: int | np.random.Generator,
    items: pd.DataFrame | None = None,
    noise: float = 0.7,
) -> pd.DataFrame:
    """How well a firm's mean area scores and its first priority recover the true profile, over SIMULATED firms.

    Each run draws ``n_respondents`` answers (:func:`simulate_answers`, all runs from one seeded stream), scores
    them (:func:`assessment_scores`), takes the firm's mean area scores and ranks the gaps to ``target``
    (:func:`assessment_gaps`). Answers are rounded to whole points and clipped to 1-5, so a mean score can sit
    off the true level (a level of 1.5 cannot be answered below 1): the bias column shows by how much.

    Parameters
    ----------
    profile : the true level (1-5) of each area (as in :func:`simulate_answers`).
    n_runs : simulated firms (count >= 2).
    n_respondents : respondents per firm.
    target : the target score of every area (1-5), or one per area.
    seed : int or numpy Generator (None refused).
    items, noise : as in :func:`simulate_answers`.

    Returns
    -------
    DataFrame indexed by area: ``true_level``, ``mean_score`` (over runs), ``bias`` with ``bias_mcse``, ``sd``
    (spread of the firm's score over runs), ``first_priority`` (share of runs that rank the area first);
    ``attrs``: ``n_runs``, ``n_respondents``, ``true_first`` (the area with the largest true gap to its target, or
    ``None`` when areas tie or none is below target) and ``first_recovered`` (share of runs that rank it first).

    References
    ----------
    Woodcock, Stone & Foss (2003), ch. 3; Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation
    studies to evaluate statistical methods. *Statistics in Medicine* 38(11), 2074-2102.
    """
    from ._checks import as_rng, check_count

    n_runs = check_count(n_runs, "n_runs", minimum=2)
    rng = as_rng(seed)
    items = load_assessment_items() if items is None else items
    targets = dict(target) if isinstance(target, Mapping) else dict.fromkeys(AREAS, float(target))
    scores, first = [], []
    for _ in range(n_runs):  # runs of a simulation study, not respondents
        answers = simulate_answers(profile, n_respondents, seed=rng, items=items, noise=noise)
        firm = assessment_scores(answers, items)[list(AREAS)].mean()
        scores.append(firm.to_numpy())
        first.append(assessment_gaps(firm, targets).index[0])
    sc = np.array(scores)
    true = np.array([float(profile[a]) for a in AREAS])
    out = pd.DataFrame(
        {
            "true_level": true,
            "mean_score": sc.mean(axis=0),
            "bias": sc.mean(axis=0) - true,
            "bias_mcse": sc.std(axis=0, ddof=1) / np.sqrt(n_runs),
            "sd": sc.std(axis=0, ddof=1),
            "first_priority": [np.mean([f == a for f in first]) for a in AREAS],
        },
        index=pd.Index(list(AREAS), name="area"),
    )
    gap = pd.Series(targets, dtype="float64").reindex(list(AREAS)).to_numpy() - true
    largest = np.flatnonzero(gap == np.nanmax(gap))
    true_first = AREAS[int(largest[0])] if len(largest) == 1 and np.nanmax(gap) > 0 else None
    out.attrs.update(
        {
            "n_runs": n_runs,
            "n_respondents": int(n_respondents),
            "true_first": true_first,
            "first_recovered": float(out.loc[true_first, "first_priority"]) if true_first else float("nan"),
        }
    )
    return out


def answers_from_log(
    log: pd.DataFrame,
    *,
    contacts: pd.DataFrame | None = None,
    segment: str = "segment",
    channel: str = "channel",
    years_needed: float = 3.0,
    period: str = "quarter",
    significance: float = 0.05,
) -> pd.DataFrame:
    """The self-assessment's data questions answered from a transaction log (and an optional contact log).

    Parameters
    ----------
    log : a transaction log with ``customer_id``, ``date`` and optionally ``amount`` (e.g. from
        :func:`crmlib.profit.log_frame` or :func:`crmlib.datasets.load_cdnow`).
    contacts : optional contact log, one row per contact, with ``segment`` and ``channel`` columns.
    segment, channel : the contact log's columns (the customer's segment; the kind of contact).
    years_needed : years of records the slides ask for (three).
    period : ``"month"``, ``"quarter"`` or ``"year"``: the period of the retention rate (the share of a
        period's buyers who buy again in the next period).
    significance : size of the chi-square test of segment against contact kind.

    Returns
    -------
    DataFrame indexed by question (``years_of_records``, ``retention_computable``, ``value_computable``,
    ``segment_contact``; the ``from_data`` codes of the instrument): ``answer`` (``yes``, ``no`` or
    ``cannot tell``), ``value`` (the number behind it) and ``evidence`` (one sentence).

    References
    ----------
    Seed slides 003 (the analysis-and-planning questions); Fader & Hardie (2010), *Marketing Science* 29(1),
    85-93 (retention rates of a cohort); Agresti (2013), *Categorical Data Analysis*, 3rd ed., sec. 3.2
    (chi-square test of independence).
    """
    from scipy import stats

    require_columns(log, ["customer_id", "date"], "transaction log")
    period = check_choice(period, "period", ["month", "quarter", "year"])
    dates = log["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates.dtype):
        raise DataError("transaction log: column 'date' must hold dates (read the log with crmlib.profit.log_frame)")
    first, last = dates.min(), dates.max()
    years = ((last - first).days + 1) / 365.25
    rows = {
        "years_of_records": (
            "yes" if years >= years_needed else "no",
            years,
            f"{years:.2f} years ({years * 12:.1f} months) of records, {first.date()} to {last.date()} "
            f"({(last - first).days + 1} days); {years_needed:g} years asked",
        )
    }
    code = {"month": "M", "quarter": "Q", "year": "Y"}[period]
    p = dates.dt.to_period(code)
    buyers = pd.DataFrame({"customer_id": log["customer_id"].to_numpy(), "p": p.to_numpy()}).drop_duplicates()
    n_periods = int(p.nunique())
    if n_periods >= 2:
        nxt = buyers.assign(p=buyers["p"] - 1).assign(again=True)
        joined = buyers.merge(nxt, on=["customer_id", "p"], how="left")
        joined = joined[joined["p"] < p.max()]
        rate = float(joined["again"].notna().mean())
        rows["retention_computable"] = (
            "yes",
            rate,
            f"{n_periods} {period}s of records: the mean share of a {period}'s buyers who buy again in the next "
            f"{period} is {rate:.3f}",
        )
    else:
        rows["retention_computable"] = ("no", float(n_periods), f"only {n_periods} {period} of records")
    has_amount = "amount" in log.columns and pd.to_numeric(log["amount"], errors="coerce").gt(0).any()
    repeaters = int((log.groupby("customer_id").size() >= 2).sum())
    rows["value_computable"] = (
        "yes" if has_amount and repeaters > 0 else "no",
        float(repeaters),
        ("amounts recorded" if has_amount else "no amounts recorded")
        + f"; {repeaters:,} customers bought more than once (a customer-base model and spend model can be fitted)",
    )
    if contacts is None:
        rows["segment_contact"] = ("cannot tell", np.nan, "a transaction log records no contacts: give a contact log")
    else:
        require_columns(contacts, [segment, channel], "contact log")
        table = pd.crosstab(contacts[segment], contacts[channel])
        if table.shape[0] < 2 or table.shape[1] < 2:
            rows["segment_contact"] = ("no", np.nan, f"{table.shape[0]} segments, {table.shape[1]} kinds of contact")
        else:
            chi2, pval, dof, _ = stats.chi2_contingency(table.to_numpy())
            rows["segment_contact"] = (
                "yes" if pval < significance else "no",
                float(pval),
                f"{table.shape[0]} segments by {table.shape[1]} kinds of contact: chi-square({dof}) = {chi2:.1f}, "
                f"p = {pval:.3g}",
            )
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["answer", "value", "evidence"])
    out.index.name = "question"
    return out
