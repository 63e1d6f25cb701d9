"""Time the classification of a large complaint log (issue 18: 100k complaints in under 10 s).

What it does
------------
1. Draws a SIMULATED labelled log (``crmlib.complaints.simulate_complaints``, seeded) of at least ``--size``
   complaints (English, Chinese, Korean) and a separate training log of ``--train`` customers.
2. Fits the trained classifier (character n-gram TF-IDF + a linear SVM per level) on the training log.
3. Times, best of ``--repeat``: ``ComplaintClassifier.predict`` and ``classify_by_keywords`` on the large log
   (wall-clock and the process's CPU seconds: on a shared machine the CPU time is the time an idle machine
   would take), and prints each method's macro-F1 on it (both levels), so that speed and recovery are read
   together.

How to run
----------
::

    .venv/bin/python benchmarks/bench_complaints.py --size 100000

Options: ``--size`` (complaints classified), ``--train`` (customers of the training log), ``--repeat``.
"""

from __future__ import annotations

import argparse
import time

from sklearn.metrics import f1_score

from crmlib import complaints as cp


def _best(fn, repeat: int):
    """Best wall-clock and best CPU seconds (of this process) over ``repeat`` runs, and the result."""
    best, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return best, cpu, out


def main(argv=None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--train", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    big, _ = cp.simulate_complaints(int(args.size / 0.95) + 1, seed=1)  # about 1.07 complaints per customer
    big = big.iloc[: args.size]
    train, _ = cp.simulate_complaints(args.train, seed=2)
    t_fit, c_fit, model = _best(lambda: cp.ComplaintClassifier().fit(train), 1)
    t_clf, c_clf, learned = _best(lambda: model.predict(big["text"]), args.repeat)
    t_kw, c_kw, rule = _best(lambda: cp.classify_by_keywords(big["text"]), args.repeat)
    out = {
        "complaints": float(len(big)),
        "fit_s": t_fit,
        "classifier_s": t_clf,
        "classifier_cpu_s": c_clf,
        "keywords_s": t_kw,
        "keywords_cpu_s": c_kw,
    }
    for name, pred in (("classifier", learned), ("keywords", rule)):
        for level in cp.LEVELS:
            labels = sorted(big[level].unique())
            out[f"{name}_{level}_macro_f1"] = f1_score(big[level], pred[level], labels=labels, average="macro")
    print(f"{len(big):,} complaints; fit on {len(train):,} in {t_fit:.2f} s ({c_fit:.2f} s CPU; best of 1)")
    print(f"  classifier.predict: {t_clf:.2f} s wall, {c_clf:.2f} s CPU (best of {args.repeat})")
    print(f"  classify_by_keywords: {t_kw:.2f} s wall, {c_kw:.2f} s CPU (best of {args.repeat})")
    for k, v in out.items():
        if k.endswith("macro_f1"):
            print(f"  {k}: {v:.3f}")
    return out


if __name__ == "__main__":
    main()
