"""The two-level classification of complaints: an editable keyword codebook and a trained text classifier.

Level 1, ``complaint_type``: complaint / consultation / suggestion; level 2, ``topic``: design & planning,
engineering quality, sales promise, service process (seed paper 001, part 2). :func:`classify_by_keywords`
applies the codebook ``data/complaint_codebook.csv`` (English, Chinese, Korean keywords; edit it or pass your
own). :class:`ComplaintClassifier` learns the categories from labelled complaints: character n-gram TF-IDF
(which needs no word segmenter for Chinese or Korean; the n-grams are hashed into a fixed number of features
by array operations over all texts at once, many times faster than a per-text tokenizer) and a linear support
vector machine per level.
:func:`evaluate_classification` compares both by stratified cross-validation (macro-F1, confusion matrices).

References
----------
Manning, C. D., Raghavan, P. & Schuetze, H. (2008). *Introduction to Information Retrieval*. Cambridge UP,
    ch. 6 (tf-idf, sublinear tf) and 13.6 (macro-averaged F1).
Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *JMLR* 12, 2825-2830.
Weinberger, K., Dasgupta, A., Langford, J., Smola, A. & Attenberg, J. (2009). Feature hashing for large scale
    multitask learning. *ICML* 26, 1113-1120 (the hashing trick).
Kohavi, R. (1995). A study of cross-validation and bootstrap for accuracy estimation and model selection.
    *IJCAI* 14, 1137-1145 (stratified k-fold cross-validation).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_positive, require_columns, rows_text
from ..datasets import data_dir
from ..exceptions import DataError

__all__ = [
    "CATEGORY_LABELS",
    "ENGLISH_LABELS",
    "COMPLAINT_TYPES",
    "LEVELS",
    "TOPICS",
    "UNCLASSIFIED",
    "ClassificationEvaluation",
    "ComplaintClassifier",
    "classify_by_keywords",
    "evaluate_classification",
    "load_complaint_codebook",
    "ngram_counts",
]
N_FEATURES = 2**20

COMPLAINT_TYPES: tuple[str, ...] = ("complaint", "consultation", "suggestion")
"""Level 1 of the paper's classification (불만 / 상담 / 건의)."""
TOPICS: tuple[str, ...] = ("design_planning", "engineering_quality", "sales_promise", "service_process")
"""Level 2 of the paper's classification (설계 계획 / 엔지니어링 품질 / 판매 약속 / 서비스 프로세스)."""
LEVELS: tuple[str, ...] = ("complaint_type", "topic")
"""The two levels, as the columns of a labelled log and of every classification."""
CATEGORY_LABELS: dict[str, str] = {
    "complaint": "Complaint 投诉 불만",
    "consultation": "Consultation 咨询 상담",
    "suggestion": "Suggestion 建议 건의",
    "design_planning": "Design & planning 设计规划 설계 계획",
    "engineering_quality": "Engineering quality 工程质量 엔지니어링 품질",
    "sales_promise": "Sales promise 销售承诺 판매 약속",
    "service_process": "Service process 服务流程 서비스 프로세스",
    "unclassified": "Unclassified 未分类 미분류",
}
"""Reader's label of each category in English, Chinese and Korean (the paper's terms), for tables and figures."""
ENGLISH_LABELS: dict[str, str] = {
    k: re.split(r"\s+(?=[\u3000-\u9fff\uac00-\ud7af])", v)[0] for k, v in CATEGORY_LABELS.items()
}
"""The English part of :data:`CATEGORY_LABELS`, for figures where three scripts would not fit (legends, axes)."""
UNCLASSIFIED = "unclassified"
"""The keyword rule's answer for a text without any keyword of a level."""


def load_complaint_codebook(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The keyword codebook (``data/complaint_codebook.csv`` by default), checked.

    Parameters
    ----------
    path : a CSV with the columns ``level`` (``complaint_type`` or ``topic``), ``category``, ``language`` and
        ``keyword``, one keyword a row; lines starting with ``#`` are comments.

    Returns
    -------
    DataFrame with those columns, keywords stripped, in the file's order (which breaks ties).

    Raises
    ------
    DataError
        naming the rows with an unknown level, an empty keyword or an empty category.

    References
    ----------
    Seed paper 001 (part 2): the two levels and their categories.
    """
    p = os.fspath(path) if path is not None else data_dir() / "complaint_codebook.csv"
    if not os.path.isfile(p):
        raise DataError(f"complaint codebook {str(p)!r} not found")
    cb = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    require_columns(cb, ["level", "category", "language", "keyword"], "complaint codebook")
    cb = cb.apply(lambda s: s.str.strip())
    bad = ~cb["level"].isin(LEVELS)
    if bad.any():
        raise DataError(f"complaint codebook: column 'level' must be one of {list(LEVELS)} in {rows_text(bad)}")
    for col in ("category", "keyword"):
        empty = cb[col] == ""
        if empty.any():
            raise DataError(f"complaint codebook: column {col!r} is empty in {rows_text(empty)}")
    return cb


def _texts(texts: Any) -> pd.Series:
    s = pd.Series(texts) if not isinstance(texts, pd.Series) else texts
    missing = s.isna()
    if missing.any():
        raise DataError(f"texts: a complaint text is missing in {rows_text(missing, s.index)}")
    return s.astype(str)


def classify_by_keywords(texts: Any, codebook: pd.DataFrame | str | os.PathLike | None = None) -> pd.DataFrame:
    """Each text's category on both levels by keyword counts.

    On each level a text gets the category whose keywords occur most often in it (case-insensitive substring
    search, so Chinese and Korean need no segmenter); ties go to the category listed first in the codebook; a
    text without any keyword of a level is :data:`UNCLASSIFIED`.

    Parameters
    ----------
    texts : the complaints' texts (a Series keeps its index).
    codebook : a codebook table, its path, or ``None`` for ``data/complaint_codebook.csv``.

    Returns
    -------
    DataFrame with ``complaint_type`` and ``topic``, indexed like ``texts``.

    References
    ----------
    Seed paper 001 (part 2); Manning, Raghavan & Schuetze (2008), ch. 13 (rule-based classification as the
    baseline of a learned classifier).
    """
    s = _texts(texts)
    cb = codebook if isinstance(codebook, pd.DataFrame) else load_complaint_codebook(codebook)
    lower = s.str.lower()
    out = pd.DataFrame(index=s.index)
    for level in LEVELS:
        rows = cb[cb["level"] == level]
        categories = list(dict.fromkeys(rows["category"]))
        if not categories:
            raise DataError(f"complaint codebook has no keywords for level {level!r}")
        hits = np.column_stack(
            [
                lower.str.count("|".join(re.escape(k.lower()) for k in rows.loc[rows["category"] == c, "keyword"]))
                for c in categories
            ]
        )
        labels = np.array(categories, dtype=object)[hits.argmax(axis=1)]
        out[level] = np.where(hits.max(axis=1) > 0, labels, UNCLASSIFIED)
    return out


def ngram_counts(texts: Any, ngram_range: tuple[int, int] = (1, 3), analyzer: str = "char") -> Any:
    """Counts of each text's character n-grams, hashed into 2**20 columns (a sparse texts-by-features matrix).

    The lower-cased texts are laid out as arrays of code points (in chunks of texts of similar length), each
    n-gram is hashed by array arithmetic, and the (text, feature) pairs are counted by one sort: no Python loop
    over texts. Two n-grams that hash alike share a column (rare among 2**20).

    Parameters
    ----------
    texts : the texts (a Series or list).
    ngram_range : smallest and largest n-gram length (characters).
    analyzer : ``"char"``: every n-gram of the text, across spaces (scikit-learn's ``analyzer="char"``);
        ``"char_wb"``: n-grams inside words only, each word padded with one space on either side (the features
        of scikit-learn's ``analyzer="char_wb"``; runs of white space read as one space, and the lone space is
        counted once per space rather than twice per word).

    Returns
    -------
    ``scipy.sparse.csr_matrix`` of shape (texts, 2**20) with the counts.

    References
    ----------
    Weinberger et al. (2009), the hashing trick; Manning, Raghavan & Schuetze (2008), sec. 3.2.2 (character
    n-grams).
    """
    from scipy import sparse

    if analyzer not in ("char", "char_wb"):
        raise DataError(f"analyzer must be 'char' or 'char_wb', got {analyzer!r}")
    s = _texts(texts).str.lower()
    if analyzer == "char_wb":
        s = " " + s.str.replace(r"\s+", " ", regex=True).str.strip() + " "
    lengths = s.str.len().to_numpy()
    order = np.argsort(lengths, kind="stable")
    lo, hi = ngram_range
    keys = []
    values = s.to_numpy()
    for start in range(0, len(order), 8192):  # chunks of texts of similar length, to bound the padding
        idx = order[start : start + 8192]
        width = max(int(lengths[idx].max()), hi)
        codes = np.array(values[idx].tolist(), dtype=f"<U{width}").view(np.uint32).reshape(len(idx), width)
        codes = codes.astype(np.uint64)
        for k in range(lo, hi + 1):
            h = np.full((len(idx), width - k + 1), k, dtype=np.uint64)
            for i in range(k):
                h = h * np.uint64(1_000_003) ^ codes[:, i : width - k + 1 + i]
            keep = np.arange(width - k + 1)[None, :] <= lengths[idx][:, None] - k
            if analyzer == "char_wb":  # no space inside an n-gram (at its ends it marks a word boundary)
                for i in range(1, k - 1):
                    keep &= codes[:, i : width - k + 1 + i] != 32
            r, c = np.nonzero(keep)
            keys.append(idx[r].astype(np.int64) * N_FEATURES + (h[r, c] % np.uint64(N_FEATURES)).astype(np.int64))
    key = np.sort(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[first, key.size]).astype(np.float64)
    rows, cols = key[first] // N_FEATURES, key[first] % N_FEATURES
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=len(s)))]
    return sparse.csr_matrix((counts, cols, indptr), shape=(len(s), N_FEATURES))


class ComplaintClassifier:
    """A text classifier of both levels: character n-gram TF-IDF and a linear support vector machine per level.

    Parameters
    ----------
    ngram_range : smallest and largest character n-gram (of the lower-cased text, spaces included); (1, 3)
        suits Chinese and Korean, whose one- and two-character units carry meaning, and English alike.
    C : inverse regularisation strength of the linear models (scikit-learn's ``C``).
    analyzer : ``"char"`` (n-grams across spaces, the default) or ``"char_wb"`` (inside words;
        :func:`ngram_counts`). Measured by :func:`evaluate_classification` (5 folds, seed 1) on the SIMULATED
        log of 2,000 customers (:func:`~crmlib.complaints.simulate_complaints` with its default seed): topic
        macro-F1 0.948 with ``"char"`` against 0.942 with ``"char_wb"`` (fold sd 0.005 each); complaint type
        1.000 with both; the keyword rule 0.670 and 0.856. ``"char"`` is kept: its n-grams across a space also
        carry pairs of words (``tests/test_complaints.py::test_correctness_char_ngrams_beat_word_bounded_ones``).

    Attributes (after ``fit``)
    --------------------------
    tfidf_ : the fitted ``TfidfTransformer`` (idf of the 2**20 hashed n-gram features, sublinear tf, l2 rows);
    models_ : level -> fitted ``LinearSVC`` (one-vs-rest);
    n_train_ : labelled complaints the models learned from.

    References
    ----------
    Manning, Raghavan & Schuetze (2008), ch. 6 and 15 (linear SVMs for text); Weinberger et al. (2009);
    Fan, R.-E. et al. (2008),
    LIBLINEAR: a library for large linear classification, *JMLR* 9, 1871-1874; Pedregosa et al. (2011).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), C: float = 1.0, analyzer: str = "char"):
        self.ngram_range = ngram_range
        self.C = C
        self.analyzer = analyzer

    def fit(self, log: pd.DataFrame, *, text: str = "text") -> ComplaintClassifier:
        """Learn both levels from a labelled log (columns ``text``, ``complaint_type``, ``topic``); returns self."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.svm import LinearSVC

        lo, hi = (check_count(v, "ngram_range", minimum=1) for v in self.ngram_range)
        if lo > hi:
            raise DataError(f"ngram_range must be (smallest, largest), got {self.ngram_range}")
        C = float(check_positive(self.C, "C"))
        if self.analyzer not in ("char", "char_wb"):
            raise DataError(f"analyzer must be 'char' or 'char_wb', got {self.analyzer!r}")
        require_columns(log, [text, *LEVELS], "labelled complaint log")
        texts = _texts(log[text])
        for level in LEVELS:
            missing = log[level].isna()
            if missing.any():
                raise DataError(
                    f"labelled complaint log: column {level!r} is missing in {rows_text(missing, log.index)}"
                )
            if log[level].nunique() < 2:
                raise DataError(f"labelled complaint log: column {level!r} has fewer than two categories")
        self.ngrams_ = (lo, hi)
        self.tfidf_ = TfidfTransformer(sublinear_tf=True)
        X = self.tfidf_.fit_transform(ngram_counts(texts, self.ngrams_, self.analyzer))
        self.models_ = {level: LinearSVC(C=C).fit(X, log[level].astype(str)) for level in LEVELS}
        self.n_train_ = len(log)
        return self

    def predict(self, texts: Any) -> pd.DataFrame:
        """Both levels' predicted categories for ``texts`` (indexed like them): ``complaint_type``, ``topic``."""
        if not hasattr(self, "models_"):
            raise DataError("ComplaintClassifier is not fitted: call fit(labelled_log) first")
        s = _texts(texts)
        X = self.tfidf_.transform(ngram_counts(s, self.ngrams_, self.analyzer))
        return pd.DataFrame({level: m.predict(X) for level, m in self.models_.items()}, index=s.index)

    def summary(self) -> pd.DataFrame:
        """Per level: the categories learned, the n-gram features and the training complaints."""
        if not hasattr(self, "models_"):
            raise DataError("ComplaintClassifier is not fitted: call fit(labelled_log) first")
        n_features = int((self.tfidf_.idf_ < self.tfidf_.idf_.max()).sum())  # hashed n-grams seen in training
        return pd.DataFrame(
            [
                {"level": lv, "categories": ", ".join(m.classes_), "features": n_features, "complaints": self.n_train_}
                for lv, m in self.models_.items()
            ]
        ).set_index("level")


@dataclass
class ClassificationEvaluation:
    """Cross-validated macro-F1 per method, level and fold, and the confusion matrices summed over the folds."""

    scores: pd.DataFrame
    confusion: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation over the folds of macro-F1, by method and level."""
        g = self.scores.groupby(["method", "level"], sort=False)["macro_f1"]
        return pd.DataFrame({"macro_f1": g.mean(), "sd": g.std(ddof=1), "folds": g.size()})


def evaluate_classification(
    log: pd.DataFrame,
    *,
    text: str = "text",
    n_splits: int = 5,
    seed: int | np.random.Generator,
    codebook: pd.DataFrame | str | os.PathLike | None = None,
    ngram_range: tuple[int, int] = (1, 3),
    C: float = 1.0,
    analyzer: str = "char",
) -> ClassificationEvaluation:
    """Keyword rule against trained classifier by stratified k-fold cross-validation on a labelled log.

    Both methods are scored on the same held-out folds (the keyword rule learns nothing; the classifier is
    refitted on the other folds each time). Macro-F1 is the unweighted mean over the true categories of each
    level of F1 = 2PR/(P+R); an unclassified text counts as a miss.

    Parameters
    ----------
    log : a labelled complaint log (``text``, ``complaint_type``, ``topic``).
    text : the text column.
    n_splits : folds (stratified on the pair of labels).
    seed : int or numpy Generator (the fold assignment).
    codebook : the keyword codebook (default ``data/complaint_codebook.csv``).
    ngram_range, C, analyzer : the classifier's settings (:class:`ComplaintClassifier`).

    Returns
    -------
    :class:`ClassificationEvaluation`: ``scores`` (method, level, fold, macro_f1; methods ``keywords`` and
    ``classifier``) and ``confusion[(method, level)]`` (true categories by rows, predicted by columns, counts).

    References
    ----------
    Kohavi (1995); Manning, Raghavan & Schuetze (2008), sec. 13.6.
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    n_splits = check_count(n_splits, "n_splits", minimum=2)
    require_columns(log, [text, *LEVELS], "labelled complaint log")
    rng = as_rng(seed)
    data = log.reset_index(drop=True)
    strata = data["complaint_type"].astype(str) + "|" + data["topic"].astype(str)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=int(rng.integers(2**31 - 1)))
    keyword_all = classify_by_keywords(data[text], codebook)
    rows, predicted = [], {m: pd.DataFrame(index=data.index, columns=list(LEVELS)) for m in ("keywords", "classifier")}
    for k, (train, test) in enumerate(folds.split(data, strata), start=1):
        model = ComplaintClassifier(ngram_range, C, analyzer).fit(data.iloc[train], text=text)
        found = {"keywords": keyword_all.iloc[test], "classifier": model.predict(data[text].iloc[test])}
        for method, pred in found.items():
            predicted[method].iloc[test] = pred[list(LEVELS)].to_numpy()
            for level in LEVELS:
                truth = data[level].iloc[test].astype(str)
                labels = sorted(data[level].astype(str).unique())
                f1 = f1_score(truth, pred[level].astype(str), labels=labels, average="macro", zero_division=0)
                rows.append({"method": method, "level": level, "fold": k, "macro_f1": float(f1)})
    confusion = {
        (method, level): pd.crosstab(
            data[level].astype(str).rename("true"), predicted[method][level].astype(str).rename("predicted")
        )
        for method in predicted
        for level in LEVELS
    }
    return ClassificationEvaluation(pd.DataFrame(rows), confusion)
