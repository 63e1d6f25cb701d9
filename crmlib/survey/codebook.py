"""Survey intake with a codebook: recoding, validation, straight-lining and missing-value patterns.

The codebook format is the one of :func:`crmlib.datasets.load_codebook`
(``item, construct, construct_label, scale_min, scale_max, reverse,
missing_codes, wording``), extended here by two optional columns:

``value_labels``  ``"1=postpaid;2=prepaid"``: labels of answer codes
``mr_group``      name of a multiple-response group the item belongs to (an
                  item per option, coded 1 = chosen, 0 or missing = not)

:func:`codebook_from_frame` checks a codebook table; :func:`intake` turns raw
answers (strings or numbers) into a clean numeric frame and a table of every
problem found, naming respondent and item. Reading files (CSV, Excel, SPSS,
Stata) is :mod:`crmlib.survey.readers` (``read_survey``, ``read_codebook``,
``codebook_from_metadata``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..datasets import check_codebook, parse_answers
from ..exceptions import DataError

__all__ = [
    "Codebook",
    "IntakeResult",
    "codebook_from_frame",
    "intake",
    "check_measurement",
    "straightlining",
    "missing_patterns",
]


@dataclass
class Codebook:
    """A checked codebook.

    Attributes
    ----------
    items : DataFrame, one row per item (the columns of ``load_codebook``).
    value_labels : item -> {code: label}.
    mr_groups : multiple-response group -> its items (in codebook order).
    """

    items: pd.DataFrame
    value_labels: dict[str, dict[int, str]] = field(default_factory=dict)
    mr_groups: dict[str, list[str]] = field(default_factory=dict)

    def measurement(self, min_items: int = 1, exclude: Sequence[str] = ()) -> dict[str, list[str]]:
        """Construct -> items in codebook order, for constructs with at least ``min_items`` items."""
        out = {c: list(g["item"]) for c, g in self.items.groupby("construct", sort=False)}
        return {c: v for c, v in out.items() if len(v) >= min_items and c not in exclude}

    def labels(self) -> dict[str, str]:
        """Construct -> label."""
        return dict(zip(self.items["construct"], self.items["construct_label"]))

    def labelled(self, item: str, values: pd.Series) -> pd.Series:
        """``values`` of ``item`` as their value labels; a code without a label reads ``"<item> <code>"``.

        Missing values stay missing. Used to name groups in tables (e.g. the
        providers of a survey from its SPSS value labels).
        """
        labels = self.value_labels.get(item, {})

        def name(code):
            whole = isinstance(code, (float, np.floating)) and float(code).is_integer()
            key = int(code) if whole else code
            return labels.get(key, f"{item} {key}")

        return values.map(name, na_action="ignore").astype(object)

    @property
    def scale_min(self) -> pd.Series:
        """Lowest scale point of every item (Series indexed by item)."""
        return self.items.set_index("item")["scale_min"]

    @property
    def scale_max(self) -> pd.Series:
        """Highest scale point of every item (Series indexed by item)."""
        return self.items.set_index("item")["scale_max"]

    def to_frame(self) -> pd.DataFrame:
        """The codebook as one table, value labels written ``"1=postpaid;2=prepaid"`` (what a file holds)."""
        out = self.items.copy()
        out["value_labels"] = [
            ";".join(f"{k}={v}" for k, v in self.value_labels.get(i, {}).items()) for i in out["item"]
        ]
        groups = {i: g for g, its in self.mr_groups.items() for i in its}
        out["mr_group"] = [groups.get(i, "") for i in out["item"]]
        return out

    def to_csv(self, path: str | os.PathLike) -> None:
        """Write the codebook as a UTF-8 CSV that :func:`~crmlib.survey.readers.read_codebook` reads back."""
        self.to_frame().to_csv(path, index=False, encoding="utf-8")


def _parse_value_labels(text: str, item: str, source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in str(text).split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise DataError(f"codebook {source}: value label {part!r} of item {item!r} is not 'code=label'")
        code, label = part.split("=", 1)
        try:
            out[int(code.strip())] = label.strip()
        except ValueError:
            raise DataError(
                f"codebook {source}: value label code {code!r} of item {item!r} is not an integer"
            ) from None
    return out


def codebook_from_frame(frame: pd.DataFrame, source: str = "frame") -> Codebook:
    """Build a :class:`Codebook` from a codebook table (the base columns plus optional extension columns).

    The table is checked by :func:`crmlib.datasets.check_codebook` (whole-number
    scales, ``reverse`` read strictly as yes/no, missing codes as text), so a
    table typed by hand or edited in pandas gets the same checks as a file.
    """
    items = check_codebook(frame, source)
    labels: dict[str, dict[int, str]] = {}
    if "value_labels" in items.columns:
        for r in items.itertuples():
            if isinstance(r.value_labels, str) and r.value_labels.strip():
                labels[r.item] = _parse_value_labels(r.value_labels, r.item, source)
    groups: dict[str, list[str]] = {}
    if "mr_group" in items.columns:
        for r in items.itertuples():
            g = "" if pd.isna(r.mr_group) else str(r.mr_group).strip()
            if g:
                groups.setdefault(g, []).append(r.item)
        for g, its in groups.items():
            if len(its) < 2:
                raise DataError(
                    f"codebook {source}: multiple-response group {g!r} has one item ({its[0]!r}); "
                    "a group needs at least 2"
                )
    return Codebook(items=items, value_labels=labels, mr_groups=groups)


@dataclass
class IntakeResult:
    """Outcome of :func:`intake`.

    data : respondents x items, numeric (float; NA = missing or invalid),
        reverse-coded items recoded as ``min + max - x``.
    issues : one row per problem: ``respondent``, ``item``, ``value`` (as
        given), ``problem`` (``not a number``, ``outside scale a..b``).
    straightlining : respondents answering every item of the multi-item scales
        identically (see :func:`straightlining`).
    missing : per-item missing counts and shares.
    """

    data: pd.DataFrame
    issues: pd.DataFrame
    straightlining: pd.DataFrame
    missing: pd.DataFrame
    codebook: Codebook

    def invalid_respondents(self, max_missing_share: float = 0.2, straightliners: bool = True) -> pd.Series:
        """Reason each respondent is invalid (empty string if valid): codes outside the scale or text,
        more than ``max_missing_share`` of the items missing, straight-lining."""
        reasons = pd.Series("", index=self.data.index, dtype=object)
        bad = set(self.issues["respondent"]) if len(self.issues) else set()
        reasons[reasons.index.isin(bad)] = "invalid codes"
        share = self.data.isna().mean(axis=1)
        reasons[(reasons == "") & (share > max_missing_share)] = f"more than {max_missing_share:.0%} missing"
        if straightliners and len(self.straightlining):
            sl = self.straightlining.index[self.straightlining["straightliner"]]
            reasons[(reasons == "") & reasons.index.isin(sl)] = "straight-lining"
        return reasons


def check_measurement(
    measurement: Mapping[str, Sequence[str]], min_items: int = 2, allow_single: Sequence[str] = ()
) -> None:
    """Raise :class:`DataError` naming each construct with fewer than ``min_items`` items
    (except those in ``allow_single``, e.g. a single-item satisfaction construct)."""
    short = {c: list(v) for c, v in measurement.items() if len(v) < min_items and c not in allow_single}
    if short:
        detail = "; ".join(
            f"construct {c!r} has {len(v)} item(s) ({', '.join(map(repr, v))})" for c, v in short.items()
        )
        raise DataError(f"{detail}: at least {min_items} items are needed (or list it in allow_single)")


def straightlining(data: pd.DataFrame, items: Sequence[str], min_items: int = 5) -> pd.DataFrame:
    """Respondents who give one and the same answer to every answered item of a battery.

    Returns one row per respondent: ``n_answered``, ``sd`` (standard deviation
    of the answers, ddof 0), ``longest_run`` (longest run of identical
    consecutive answers) and ``straightliner`` (sd 0 over at least
    ``min_items`` answered items).
    """
    X = data[list(items)].astype(float).to_numpy()
    answered = (~np.isnan(X)).sum(axis=1)
    sd = np.nanstd(np.where(answered[:, None] > 0, X, 0.0), axis=1)
    same = X[:, 1:] == X[:, :-1]
    run = np.ones(len(X), dtype=int)
    cur = np.ones(len(X), dtype=int)
    for j in range(same.shape[1]):  # loop over items, vectorised over respondents
        cur = np.where(same[:, j], cur + 1, 1)
        run = np.maximum(run, cur)
    return pd.DataFrame(
        {"n_answered": answered, "sd": sd, "longest_run": run, "straightliner": (sd == 0) & (answered >= min_items)},
        index=data.index,
    )


def missing_patterns(data: pd.DataFrame, n_patterns: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Missing answers per item (``n_missing``, ``share``) and the most frequent missing patterns
    (``pattern`` lists the missing items; ``respondents`` counts them, with their ids in ``example_ids``);
    ``n_patterns`` is how many of the most frequent patterns are listed (count)."""
    na = data.isna()
    per_item = pd.DataFrame({"n_missing": na.sum(), "share": na.mean()})
    # one string per respondent, built column-wise (no loop over respondents): "a, b, " -> "a, b"
    names = np.array([f"{c}, " for c in na.columns], dtype=object)
    keys = pd.Series(
        na.to_numpy().astype(object) @ names if na.shape[1] else np.full(len(na), "", dtype=object),
        index=na.index,
        dtype=object,
    )
    keys = keys.astype(str).str.removesuffix(", ")
    keys = keys[keys != ""]
    if keys.empty:
        return per_item, pd.DataFrame(columns=["pattern", "respondents", "example_ids"])
    grouped = keys.groupby(keys)
    pat = pd.DataFrame({"respondents": grouped.size(), "example_ids": grouped.apply(lambda s: list(s.index[:5]))})
    pat = pat.sort_values("respondents", ascending=False).head(n_patterns).rename_axis("pattern").reset_index()
    return per_item, pat


def intake(
    raw: pd.DataFrame, codebook: Codebook | pd.DataFrame, *, strict: bool = False, straightline_min_items: int = 5
) -> IntakeResult:
    """Check raw answers against the codebook and return clean numeric data.

    Parameters
    ----------
    raw : respondents x items as read (strings or numbers); the index names
        the respondents (default: 1..n).
    codebook : a :class:`Codebook` or a base codebook frame.
    strict : raise :class:`DataError` listing every item with problems
        (the item, how many respondents, which, and an example answer)
        instead of recording them in ``issues`` and setting the answers to NA.
    straightline_min_items : battery length from which identical answers
        count as straight-lining (over the items of multi-item constructs).

    Raises
    ------
    DataError : columns do not match the codebook; or, with ``strict``, text in
        a numeric item or a code outside its scale.
    """
    cb = codebook if isinstance(codebook, Codebook) else codebook_from_frame(codebook)
    items = list(cb.items["item"])
    missing_cols = [i for i in items if i not in raw.columns]
    extra = [c for c in raw.columns if c not in set(items)]
    if missing_cols or extra:
        raise DataError(
            f"the data do not match the codebook: items missing from the data {missing_cols}, "
            f"columns not in the codebook {extra}"
        )
    data = pd.DataFrame(index=raw.index)
    problems, faults = [], []
    for r in cb.items.itertuples():
        ans = parse_answers(raw[r.item], r.missing_codes, r.scale_min, r.scale_max)
        for flag, what in (("text", "not a number"), ("outside", f"outside scale {r.scale_min}..{r.scale_max}")):
            mask = ans[flag].to_numpy()
            if mask.any():
                who = list(raw.index[mask])
                given = [v.item() if isinstance(v, np.generic) else v for v in raw[r.item].to_numpy()[mask]]
                faults.append(
                    f"item {r.item!r}: {len(who)} answer(s) {what} (respondents {who[:5]}"
                    f"{' ...' if len(who) > 5 else ''}), e.g. {given[0]!r} from respondent {who[0]}"
                )
                problems += [{"respondent": w, "item": r.item, "value": v, "problem": what} for w, v in zip(who, given)]
        num = ans["value"]
        if r.reverse:
            num = r.scale_min + r.scale_max - num
        data[r.item] = num.astype(float)
    if strict and faults:
        more = f"; and {len(faults) - 10} more items" if len(faults) > 10 else ""
        raise DataError("; ".join(faults[:10]) + more + " (strict=False lists every answer in IntakeResult.issues)")
    issues = pd.DataFrame(problems, columns=["respondent", "item", "value", "problem"])
    scale_items = [i for its in cb.measurement(min_items=2).values() for i in its]
    sl = (
        straightlining(data, scale_items, straightline_min_items)
        if len(scale_items) >= straightline_min_items
        else pd.DataFrame(columns=["n_answered", "sd", "longest_run", "straightliner"])
    )
    per_item, _ = missing_patterns(data)
    return IntakeResult(data=data, issues=issues, straightlining=sl, missing=per_item, codebook=cb)
