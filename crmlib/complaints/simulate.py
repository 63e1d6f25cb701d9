"""A SIMULATED, labelled complaint log in English, Chinese and Korean, with known categories, rates and effects.

Each text is written from templates (``_TOPIC_PHRASES``, ``_TYPE_FRAMES``, ``_ASIDES`` below): a framing that
marks the complaint type (complaint / consultation / suggestion) around a clause that names the topic (design &
planning, engineering quality, sales promise, service process), the classification of the real-estate paper
(seed paper 001, part 2: 불만, 상담 또는 건의; 설계 계획, 엔지니어링 품질, 판매 약속, 서비스 프로세스).
About half of the clauses and a quarter of the framings use words of the keyword codebook
(``data/complaint_codebook.csv``); the others say the same thing in other words, and one text in three carries an
aside that names another topic's word (as real complaints do: "I bought through the sales office"), and one in
seven raises a second issue of another topic after the first (the label is the first issue's, as a coder files
it). So a keyword rule recovers part of the categories and a classifier trained on labelled texts can recover
more, though not all (word order is lost in n-gram counts); both are measured against the known labels.

The truth behind the rest of the log:

* customers in three tiers (the thesis's diamond / gold / third tier) complain at Poisson rates
  :data:`COMPLAINT_RATE` (complaints per customer over the year observed);
* each complaint is answered after an exponential time with mean :data:`MEAN_DAYS_TO_RESOLUTION` (by topic;
  consultations and suggestions in half that time); a complaint not answered by the observation end is censored
  (blank ``resolved``);
* in the following year a customer churns with probability :data:`CHURN_BASE` (by tier) plus
  :data:`CHURN_EFFECT` ``["resolved"]`` when every complaint was answered or ``["unresolved"]`` when one was not
  (risk differences, added on the probability scale).

Every row says ``data_source = SIMULATED``. ``python -m crmlib.complaints.simulate`` rewrites the two files.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import as_rng, check_count, check_level
from ..datasets import data_dir

__all__ = [
    "CHURN_BASE",
    "CHURN_EFFECT",
    "COMPLAINT_RATE",
    "MEAN_DAYS_TO_RESOLUTION",
    "SIMULATION_SEED",
    "load_simulated_complaints",
    "recovery_study",
    "simulate_complaints",
    "write_simulated_complaints",
]

SIMULATION_SEED = 20261203
"""Seed of the shipped files ``data/complaints_simulated.csv`` and ``data/complaint_customers_simulated.csv``."""
COMPLAINT_RATE: dict[str, float] = {"diamond": 0.6, "gold": 0.9, "third": 1.2}
"""True complaints per customer over the observed year, by tier (Poisson means)."""
MEAN_DAYS_TO_RESOLUTION: dict[str, float] = {
    "design_planning": 40.0,
    "engineering_quality": 25.0,
    "sales_promise": 30.0,
    "service_process": 8.0,
}
"""True mean days from a complaint to its answer, by topic (exponential; half for consultations and suggestions)."""
CHURN_BASE: dict[str, float] = {"diamond": 0.05, "gold": 0.10, "third": 0.20}
"""True probability of churning in the following year for a customer without complaints, by tier."""
CHURN_EFFECT: dict[str, float] = {"resolved": 0.10, "unresolved": 0.25}
"""True added churn probability (risk difference) of a customer whose complaints were all answered / not all."""
_TIER_SHARE = {"diamond": 0.1, "gold": 0.3, "third": 0.6}
_LANGUAGE_SHARE = {"en": 0.4, "zh": 0.35, "ko": 0.25}
_TYPE_SHARE = {"complaint": 0.55, "consultation": 0.30, "suggestion": 0.15}
_TOPIC_SHARE = {"design_planning": 0.2, "engineering_quality": 0.35, "sales_promise": 0.2, "service_process": 0.25}
_CHANNELS = ("hotline", "web", "visit")
_TOPIC_LIST = np.array(sorted(_TOPIC_SHARE), dtype=object)
_OBSERVATION_START = pd.Timestamp("2025-01-01")
_OBSERVATION_DAYS = 365

# Topic clauses: the first ones use codebook words, the last two say the same without them.
_TOPIC_PHRASES: dict[str, dict[str, list[str]]] = {
    "en": {
        "design_planning": [
            "the floor plan of the flat is badly designed",
            "the layout of the kitchen is too small",
            "the planning of the estate changed and the green space is gone",
            "the design of the parking area makes no sense",
            "the windows face a wall and get no sun",
            "there is no room for a wardrobe in the bedroom",
        ],
        "engineering_quality": [
            "the roof leaks after every rain",
            "cracks appear in the living room wall",
            "the construction quality of the stairs is poor",
            "the plumbing in the bathroom is broken",
            "water comes through the ceiling",
            "the tiles came loose a month after we moved in",
        ],
        "sales_promise": [
            "the sales agent promised a school nearby",
            "the brochure promised a swimming pool",
            "the contract says handover in June but nothing happened",
            "the promise of a discount was not kept",
            "we were told the metro station would open this year",
            "the free parking space we were given never came",
        ],
        "service_process": [
            "the service hotline never answers",
            "my repair request has waited for weeks",
            "the property management staff were rude to me",
            "the service centre lost my documents",
            "nobody called me back after my visit",
            "I had to fill in the same form three times",
        ],
    },
    "zh": {
        "design_planning": [
            "户型设计不合理",
            "厨房布局太小",
            "小区规划变了，绿地没有了",
            "停车场的设计很差",
            "窗户对着墙，一点阳光都没有",
            "卧室里放不下衣柜",
        ],
        "engineering_quality": [
            "下雨后屋顶漏水",
            "客厅墙面出现裂缝",
            "楼梯的施工质量很差",
            "卫生间的水管坏了",
            "天花板往下滴水",
            "入住一个月地砖就松了",
        ],
        "sales_promise": [
            "销售人员承诺附近有学校",
            "宣传册上说有游泳池",
            "合同写明六月交房，到现在还没交",
            "打折的承诺没有兑现",
            "当时说地铁站今年开通",
            "送的免费车位一直没给",
        ],
        "service_process": [
            "客服热线一直没人接",
            "报修等了好几周",
            "物业管理人员态度恶劣",
            "客服中心把我的材料弄丢了",
            "来访之后没有人回电话",
            "同一张表让我填了三次",
        ],
    },
    "ko": {
        "design_planning": [
            "집의 평면 설계가 불편합니다",
            "주방 배치가 너무 좁습니다",
            "단지 계획이 바뀌어 녹지가 없어졌습니다",
            "주차장 설계가 엉망입니다",
            "창문이 벽을 향해 햇빛이 들지 않습니다",
            "침실에 옷장을 놓을 자리가 없습니다",
        ],
        "engineering_quality": [
            "비가 오면 지붕에서 누수가 생깁니다",
            "거실 벽에 균열이 생겼습니다",
            "계단의 시공 품질이 나쁩니다",
            "욕실 수도관이 고장 났습니다",
            "천장에서 물이 떨어집니다",
            "입주 한 달 만에 타일이 떨어졌습니다",
        ],
        "sales_promise": [
            "영업 사원이 근처에 학교가 있다고 약속했습니다",
            "홍보 책자에는 수영장이 있다고 했습니다",
            "계약서에는 6월 입주인데 아직입니다",
            "할인 약속을 지키지 않았습니다",
            "지하철역이 올해 개통된다고 들었습니다",
            "받기로 한 무료 주차 자리가 아직 없습니다",
        ],
        "service_process": [
            "고객 서비스 전화를 아무도 받지 않습니다",
            "수리 요청이 몇 주째 처리되지 않았습니다",
            "관리실 직원이 불친절했습니다",
            "서비스 센터가 제 서류를 잃어버렸습니다",
            "방문한 뒤 아무도 다시 연락하지 않았습니다",
            "같은 서류를 세 번이나 작성했습니다",
        ],
    },
}

# Type framings: the first three use codebook words, the last does not.
_TYPE_FRAMES: dict[str, dict[str, list[str]]] = {
    "en": {
        "complaint": [
            "I am very unhappy: {t}.",
            "This is unacceptable, {t}.",
            "I want to complain: {t}.",
            "Again {t}, and I am tired of waiting.",
        ],
        "consultation": [
            "Could you tell me whether {t}?",
            "I would like to ask why {t}.",
            "Question: is it true that {t}?",
            "{t} - what happens now?",
        ],
        "suggestion": [
            "I suggest you fix this: {t}.",
            "It would be better to check it, {t}.",
            "My advice for the next project: {t}.",
            "Next time, please avoid this: {t}.",
        ],
    },
    "zh": {
        "complaint": ["我非常不满：{t}。", "太不像话了，{t}。", "我要投诉，{t}。", "又是{t}，等得我很累。"],
        "consultation": [
            "请问，{t}，是真的吗？",
            "我想咨询一下，{t}，怎么办？",
            "想了解一下，{t}。",
            "{t}，现在该怎么处理？",
        ],
        "suggestion": [
            "建议你们解决：{t}。",
            "最好检查一下，{t}。",
            "对下一个项目的意见：{t}。",
            "下次别再这样了，{t}。",
        ],
    },
    "ko": {
        "complaint": [
            "정말 불만입니다. {t}.",
            "이건 말이 안 됩니다. {t}.",
            "항의합니다. {t}.",
            "또 {t}. 기다리기 지쳤습니다.",
        ],
        "consultation": [
            "문의드립니다. {t}. 어떻게 되나요?",
            "궁금합니다. {t}. 사실인가요?",
            "{t}. 이유를 알려 주시겠어요?",
            "{t}. 이제 어떻게 하나요?",
        ],
        "suggestion": [
            "건의합니다. {t}. 고쳐 주세요.",
            "{t}. 점검하는 것이 좋겠습니다.",
            "다음 사업을 위한 제안입니다. {t}.",
            "다음에는 이러지 않게 해 주세요. {t}.",
        ],
    },
}

# Asides that name a topic's word without being about it.
_ASIDES: dict[str, list[str]] = {
    "en": [
        " (I bought through the sales office.)",
        " (This was after the property service visit.)",
        " (We chose the flat from its design drawings.)",
        " (The construction site next door is noisy too.)",
    ],
    "zh": ["（我是在销售中心买的。）", "（物业来过之后。）", "（当初是看设计图选的房。）", "（隔壁施工也很吵。）"],
    "ko": [
        "(영업소에서 샀습니다.)",
        "(관리실 방문 후의 일입니다.)",
        "(설계 도면을 보고 골랐습니다.)",
        "(옆 시공 현장도 시끄럽습니다.)",
    ],
}


def _draw(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(shares), dtype=object)
    return keys[rng.choice(len(keys), size=size, p=np.array(list(shares.values())))]


_AND_ALSO = {"en": " Also, {t}.", "zh": "另外，{t}。", "ko": " 그리고 {t}."}


def _texts(rng: np.random.Generator, language: np.ndarray, kind: np.ndarray, topic: np.ndarray) -> list[str]:
    n = len(language)
    clause, frame, aside = rng.integers(0, 6, n), rng.integers(0, 4, n), rng.integers(0, 4, n)
    with_aside, second = rng.random(n) < 1 / 3, rng.random(n) < 1 / 7
    other = (np.searchsorted(_TOPIC_LIST, topic) + rng.integers(1, len(_TOPIC_LIST), n)) % len(_TOPIC_LIST)
    out = []
    for i in range(n):  # one text per complaint: template filling, not a computation over customers
        lang = language[i]
        text = _TYPE_FRAMES[lang][kind[i]][frame[i]].format(t=_TOPIC_PHRASES[lang][topic[i]][clause[i]])
        if second[i]:
            text += _AND_ALSO[lang].format(t=_TOPIC_PHRASES[lang][_TOPIC_LIST[other[i]]][clause[i]])
        out.append(text + _ASIDES[lang][aside[i]] if with_aside[i] else text)
    return out


def simulate_complaints(
    n_customers: int = 2000, *, seed: int | np.random.Generator = SIMULATION_SEED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A SIMULATED complaint log and its customers, from the known truth in this module's docstring.

    Parameters
    ----------
    n_customers : customers drawn (tiers 10 % diamond, 30 % gold, 60 % third).
    seed : int or numpy Generator (None refused).

    Returns
    -------
    ``(log, customers)``. ``log``: one row per complaint, the intake's columns ``customer_id``, ``date``,
    ``channel``, ``text``, ``resolved`` (date of the answer; NaT when unanswered by 2025-12-31) plus the
    true labels ``complaint_type`` and ``topic``, the ``language`` (``en``, ``zh``, ``ko``) and
    ``data_source``. ``customers``: ``customer_id``, ``tier``, ``churned`` (1 = left in the following year)
    and ``data_source``.

    References
    ----------
    Seed paper 001 (part 2, real estate): the complaint / consultation / suggestion and design & planning /
    engineering quality / sales promise / service process classification. Greenland, S. & Robins, J. M. (1985),
    *Biometrics* 41(1), 55-68: the stratified risk difference the churn effect is recovered with.
    """
    n_customers = check_count(n_customers, "n_customers", minimum=1)
    rng = as_rng(seed)
    tier = _draw(rng, _TIER_SHARE, n_customers)
    customer_language = _draw(rng, _LANGUAGE_SHARE, n_customers)
    counts = rng.poisson(np.array([COMPLAINT_RATE[t] for t in tier]))
    who = np.repeat(np.arange(n_customers), counts)
    n = who.size
    kind, topic = _draw(rng, _TYPE_SHARE, n), _draw(rng, _TOPIC_SHARE, n)
    day = rng.integers(0, _OBSERVATION_DAYS, n)
    mean = np.array([MEAN_DAYS_TO_RESOLUTION[t] for t in topic]) * np.where(kind == "complaint", 1.0, 0.5)
    wait = np.ceil(rng.exponential(mean)).astype(int)
    answered = day + wait <= _OBSERVATION_DAYS - 1
    channel = np.array(_CHANNELS, dtype=object)[rng.integers(0, len(_CHANNELS), n)]
    language = customer_language[who]
    texts = _texts(rng, language, kind, topic)
    start = _OBSERVATION_START.to_datetime64().astype("datetime64[D]")
    log = pd.DataFrame(
        {
            "customer_id": who + 1,
            "date": pd.Series(start + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "channel": channel,
            "text": texts,
            "resolved": pd.Series(
                np.where(answered, start + (day + wait).astype("timedelta64[D]"), np.datetime64("NaT"))
            ).astype("datetime64[ns]"),
            "complaint_type": kind,
            "topic": topic,
            "language": language,
            "data_source": "SIMULATED",
        }
    )
    log = log.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    unresolved = np.bincount(who[~answered], minlength=n_customers) > 0
    complained = counts > 0
    p = np.array([CHURN_BASE[t] for t in tier])
    p = p + np.where(unresolved, CHURN_EFFECT["unresolved"], np.where(complained, CHURN_EFFECT["resolved"], 0.0))
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(1, n_customers + 1),
            "tier": tier,
            "churned": (rng.random(n_customers) < p).astype(int),
            "data_source": "SIMULATED",
        }
    )
    return log, customers


def write_simulated_complaints(
    path: str | os.PathLike | None = None, n_customers: int = 2000, seed: int = SIMULATION_SEED
) -> tuple[Path, Path]:
    """Write the SIMULATED complaint log and its customers as UTF-8 CSV; returns the two paths.

    Parameters
    ----------
    path : the folder to write into (default crmlib's ``data/``): ``complaints_simulated.csv`` and
        ``complaint_customers_simulated.csv``.
    n_customers, seed : as in :func:`simulate_complaints`.

    References
    ----------
    As :func:`simulate_complaints`.
    """
    folder = Path(path) if path is not None else data_dir()
    log, customers = simulate_complaints(n_customers, seed=seed)
    out = log.assign(
        date=log["date"].dt.strftime("%Y-%m-%d"), resolved=log["resolved"].dt.strftime("%Y-%m-%d").fillna("")
    )
    p_log, p_customers = folder / "complaints_simulated.csv", folder / "complaint_customers_simulated.csv"
    out.to_csv(p_log, index=False, encoding="utf-8", lineterminator="\n")
    customers.to_csv(p_customers, index=False, encoding="utf-8", lineterminator="\n")
    return p_log, p_customers


def load_simulated_complaints() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped SIMULATED complaint log (read by :func:`~crmlib.complaints.read_complaints`) and its customers.

    Returns
    -------
    ``(log, customers)`` as :func:`simulate_complaints` makes them with :data:`SIMULATION_SEED` and 2,000
    customers, read from ``data/complaints_simulated.csv`` and ``data/complaint_customers_simulated.csv``.

    References
    ----------
    As :func:`simulate_complaints`.
    """
    from .log import read_complaints

    log = read_complaints(data_dir() / "complaints_simulated.csv", encoding="utf-8", delimiter=",")
    customers = pd.read_csv(data_dir() / "complaint_customers_simulated.csv", encoding="utf-8")
    return log, customers


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped files
    print(write_simulated_complaints())


def recovery_study(
    n_runs: int, *, n_customers: int = 2000, seed: int | np.random.Generator, level: float = 0.95
) -> pd.DataFrame:
    """How well the complaint rates and the churn risk differences recover the truth, over many SIMULATED logs.

    Each run draws a log and its customers (:func:`simulate_complaints`, all runs from one seeded stream) and
    estimates the complaint rate of each tier (:func:`~crmlib.complaints.complaint_rates`, Garwood's exact
    interval) and the churn risk differences of customers whose complaints were all answered / not all against
    customers without a complaint (:func:`~crmlib.complaints.churn_by_complaints`, Mantel-Haenszel within tier).
    The truth is :data:`COMPLAINT_RATE` and :data:`CHURN_EFFECT`.

    Parameters
    ----------
    n_runs : simulated logs (count >= 2).
    n_customers : customers per log.
    seed : int or numpy Generator (None refused).
    level : coverage of the intervals.

    Returns
    -------
    DataFrame, one row per estimate (``rate diamond``, ``rate gold``, ``rate third``, ``risk difference all
    resolved``, ``risk difference some unresolved``): ``true_value``, ``mean_estimate``, ``bias`` with
    ``bias_mcse``, ``coverage`` (share of runs whose interval holds the truth) with ``coverage_mcse``;
    ``attrs``: ``n_runs``, ``n_customers``, ``level``.

    References
    ----------
    Morris, T. P., White, I. R. & Crowther, M. J. (2019). Using simulation studies to evaluate statistical
    methods. *Statistics in Medicine* 38(11), 2074-2102; Greenland & Robins (1985) for the risk difference;
    Garwood, F. (1936). *Biometrika* 28(3/4), 437-442 for the rate interval.
    """
    from .log import churn_by_complaints, complaint_rates

    n_runs = check_count(n_runs, "n_runs", minimum=2)
    level = check_level(level)
    rng = as_rng(seed)
    truth = {f"rate {t}": v for t, v in COMPLAINT_RATE.items()}
    truth |= {"risk difference all resolved": CHURN_EFFECT["resolved"]}
    truth |= {"risk difference some unresolved": CHURN_EFFECT["unresolved"]}
    est, low, high = [], [], []
    for _ in range(n_runs):  # runs of a simulation study, not customers
        log, customers = simulate_complaints(n_customers, seed=rng)
        rates = complaint_rates(log, customers, "tier", years=_OBSERVATION_DAYS / 365.0, level=level)
        churn = churn_by_complaints(customers, log, strata="tier", level=level)
        rows = [rates.loc[t, ["rate", "rate_lower", "rate_upper"]] for t in COMPLAINT_RATE]
        cols = ["risk_difference", "risk_difference_lower", "risk_difference_upper"]
        rows += [churn.loc[s, cols] for s in ("all resolved", "some unresolved")]
        values = np.array([r.to_numpy(dtype=float) for r in rows])
        est.append(values[:, 0])
        low.append(values[:, 1])
        high.append(values[:, 2])
    e, lo, hi = np.array(est), np.array(low), np.array(high)
    true = np.array(list(truth.values()))
    covered = ((lo <= true) & (true <= hi)).astype(float)
    out = pd.DataFrame(
        {
            "true_value": true,
            "mean_estimate": e.mean(axis=0),
            "bias": e.mean(axis=0) - true,
            "bias_mcse": e.std(axis=0, ddof=1) / np.sqrt(n_runs),
            "coverage": covered.mean(axis=0),
            "coverage_mcse": np.sqrt(covered.mean(axis=0) * (1 - covered.mean(axis=0)) / n_runs),
        },
        index=pd.Index(list(truth), name="estimate"),
    )
    out.attrs.update({"n_runs": n_runs, "n_customers": int(n_customers), "level": level})
    return out
