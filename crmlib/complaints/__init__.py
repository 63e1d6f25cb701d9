"""Complaint handling: a complaint log, its two-level classification, rates, time to resolution and churn.

Seed paper 001 (part 2, real estate): classify each complaint as complaint / consultation / suggestion, then by
design & planning, engineering quality, sales promise or service process, and answer it at once.

Modules
-------
``log``       :func:`read_complaints`, :func:`complaint_status`, :func:`complaint_rates`, :func:`resolution_data`,
              :func:`churn_by_complaints`
``classify``  :func:`load_complaint_codebook`, :func:`classify_by_keywords`, :class:`ComplaintClassifier`,
              :func:`evaluate_classification`, :func:`ngram_counts`
``simulate``  :func:`simulate_complaints`, :func:`load_simulated_complaints`, :func:`write_simulated_complaints` (the SIMULATED labelled log), :func:`recovery_study`
"""

from .classify import (
    CATEGORY_LABELS,
    COMPLAINT_TYPES,
    ENGLISH_LABELS,
    LEVELS,
    TOPICS,
    UNCLASSIFIED,
    ClassificationEvaluation,
    ComplaintClassifier,
    classify_by_keywords,
    evaluate_classification,
    load_complaint_codebook,
    ngram_counts,
)
from .log import STATUS, churn_by_complaints, complaint_rates, complaint_status, read_complaints, resolution_data
from .simulate import load_simulated_complaints, recovery_study, simulate_complaints, write_simulated_complaints

__all__ = [
    "CATEGORY_LABELS",
    "ENGLISH_LABELS",
    "COMPLAINT_TYPES",
    "LEVELS",
    "STATUS",
    "TOPICS",
    "UNCLASSIFIED",
    "ClassificationEvaluation",
    "ComplaintClassifier",
    "churn_by_complaints",
    "classify_by_keywords",
    "complaint_rates",
    "complaint_status",
    "evaluate_classification",
    "load_complaint_codebook",
    "load_simulated_complaints",
    "ngram_counts",
    "read_complaints",
    "recovery_study",
    "resolution_data",
    "simulate_complaints",
    "write_simulated_complaints",
]
