"""Retention and churn: customer data -> survival data, retention curves, churn drivers, survival value, life-cycle stages.

Built on lifelines (Davidson-Pilon 2019). Modules:

========================  ============================================================
:mod:`.data`              contracts / transaction logs -> survival data (the churn rule),
                          sensitivity to the inactivity window
:mod:`.intake`            a log's survival data with first-purchase covariates and the intake's
                          notes; survivors per period of acquisition cohorts (sBG input)
:mod:`.curves`            Kaplan-Meier by segment, log-rank tests, cohort tables, period rates
:mod:`.regression`        Cox PH (hazard ratios, forest plot, PH check and its remedy by
                          strata), conditional predictions
:mod:`.aft`               accelerated-failure-time models: time ratios, AIC comparison, predicted survival
:mod:`.twopart`           two-part churn model (stays past day 1 x time to churn of those who stay)
                          for a mass of churn at the first day; mean predicted survival
                          against Kaplan-Meier
:mod:`.value`             expected discounted margin over a survival curve, with CIs
:mod:`.compare`           Kaplan-Meier against the shifted-beta-geometric cohort model
:mod:`.plots`             cohort differences from the pooled curve, the Fader-Hardie sBG figure,
                          window sensitivity, value histograms
:mod:`.lifecycle`         exploration / formation / stability / decline / lost stages
:mod:`.simulate`          SIMULATED contracts from a known PH model, SIMULATED two-part churn
                          data, a Monte-Carlo recovery study of the hazard ratios
========================  ============================================================
"""

from .aft import AFT_DISTRIBUTIONS, ChurnAFT, aft_conditional_median, aft_time_ratios, compare_aft
from .compare import sbg_comparison, sbg_elasticity_table
from .curves import (
    KaplanMeierBySegment,
    cohort_activity_table,
    cohort_survival_table,
    logrank,
    period_rates,
    plot_cohort_heatmap,
    retention_table,
    step_at,
)
from .data import (
    event_date_comparison,
    event_date_variants,
    first_purchase_covariates,
    from_contracts,
    from_transactions,
    validate_survival,
    window_sensitivity,
)
from .intake import sbg_cohort_counts, survival_from_log
from .lifecycle import STAGES, lifecycle_stages, stage_sizes, stage_transitions
from .plots import (
    plot_sbg_comparison,
    plot_segment_differences,
    plot_value_distribution,
    plot_window_sensitivity,
    segment_differences,
)
from .regression import ChurnCox, design_matrix
from .simulate import (
    PLAN_MARGIN,
    TRUE_HAZARD_RATIOS,
    TRUE_TWO_PART,
    hazard_ratio_recovery,
    sbg_holdout_recovery,
    simulate_contracts,
    simulate_two_part,
    true_two_part_survival,
)
from .twopart import TwoPartChurn, mean_survival_table, plot_mean_survival
from .value import (
    customer_value,
    customer_value_interval,
    daily_discount_rate,
    margin_per_active_day,
    segment_value,
    segment_value_table,
    smooth_discounted_area,
    step_discounted_area,
)

__all__ = [
    "from_contracts",
    "from_transactions",
    "validate_survival",
    "window_sensitivity",
    "event_date_comparison",
    "event_date_variants",
    "first_purchase_covariates",
    "KaplanMeierBySegment",
    "logrank",
    "cohort_survival_table",
    "cohort_activity_table",
    "period_rates",
    "plot_cohort_heatmap",
    "step_at",
    "retention_table",
    "ChurnCox",
    "compare_aft",
    "ChurnAFT",
    "AFT_DISTRIBUTIONS",
    "aft_time_ratios",
    "TwoPartChurn",
    "mean_survival_table",
    "plot_mean_survival",
    "design_matrix",
    "aft_conditional_median",
    "segment_value",
    "customer_value",
    "customer_value_interval",
    "daily_discount_rate",
    "margin_per_active_day",
    "step_discounted_area",
    "smooth_discounted_area",
    "lifecycle_stages",
    "stage_sizes",
    "stage_transitions",
    "STAGES",
    "simulate_contracts",
    "TRUE_HAZARD_RATIOS",
    "PLAN_MARGIN",
    "simulate_two_part",
    "true_two_part_survival",
    "TRUE_TWO_PART",
    "hazard_ratio_recovery",
    "sbg_holdout_recovery",
    "sbg_comparison",
    "sbg_cohort_counts",
    "survival_from_log",
    "sbg_elasticity_table",
    "segment_value_table",
    "plot_sbg_comparison",
    "plot_segment_differences",
    "segment_differences",
    "plot_value_distribution",
    "plot_window_sensitivity",
]
