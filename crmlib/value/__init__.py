"""Customer delivered value: total customer value - total customer cost, measured by a survey.

Kotler & Keller (*Marketing Management*, 12th ed. 2006, ch. 5) define customer
delivered value as total customer value (product, service, personnel and image
value) minus total customer cost (monetary, time, energy and physical cost).
This package measures it from a questionnaire, per respondent, segment and
competitor, with uncertainty, and relates it to satisfaction and loyalty.

Modules
-------
``instrument``    the eight components, the questionnaire and codebook (``data/cdv_*.csv``), item intake
``scoring``       component scores (reverse coding, missing answers, common scale), totals, both forms
``weights``       equal, given, regression, choice (logit) and entropy weights, bootstrap intervals
``model``         :class:`DeliveredValue`, the whole computation as one estimator
``compare``       bootstrap means by group, Welch tests of differences, value-map tables
``plots``         value map and component profiles
``consequences``  satisfaction and loyalty on delivered value, HC3 robust errors
``simulate``      the SIMULATED multi-competitor survey with known truth
``evaluation``    out-of-sample (cross-validated) R² of an outcome on V - C; recovery over many simulated surveys
``corp_rep``      a PARTIAL mapping of the real corporate-reputation survey
``tables``        result tables (instrument overview, scoring report with alpha, weights, recovery, PLS inputs)
``narrative``     the report's sentences and reader's tables, each number computed from a result
"""

from .compare import (
    VALUE_MAP_COLUMNS,
    GroupComparison,
    bootstrap_means,
    compare_groups,
    value_map_table,
)
from .consequences import regress_outcomes
from .corp_rep import CORP_REP_MAPPING, CORP_REP_MISSING, corp_rep_partial, corp_rep_switching, switching_text
from .evaluation import loyalty_recovery, out_of_sample_r2, recovery_study
from .instrument import (
    COMPONENT_LABELS,
    COMPONENTS,
    COST_COMPONENTS,
    VALUE_COMPONENTS,
    check_items,
    load_instrument,
    load_value_codebook,
    read_value_survey,
)
from .model import DeliveredValue
from .narrative import (
    LABELS,
    by_label,
    conclusion_text,
    data_text,
    difference_text,
    effect_table,
    effect_text,
    instrument_text,
    loyalty_text,
    pairwise_table,
    pls_text,
    r2_text,
    recovery_text,
    value_map_text,
    weights_text,
    with_columns,
)
from .plots import plot_component_profile, plot_value_map
from .scoring import (
    ComponentScores,
    component_items,
    delivered_value,
    normalise_weights,
    score_components,
)
from .simulate import (
    LATENT_MEANS,
    LOYALTY_TYPE_LOGITS,
    SEGMENT_SHIFT,
    SIMULATION_SEED,
    TRUE_EFFECTS,
    TRUE_WEIGHTS,
    CDVTruth,
    SimulatedCDV,
    expected_item_score,
    is_simulated,
    simulate_survey,
    write_simulated_survey,
)
from .tables import (
    instrument_overview,
    pls_inputs,
    recovery_table,
    scoring_table,
    weights_comparison,
)
from .weights import (
    DEFAULT_OUTCOMES,
    ComponentWeights,
    bootstrap_weights,
    derive_weights,
    entropy_divergences,
    weight_outcome,
)

__all__ = [
    "COMPONENTS",
    "LABELS",
    "LOYALTY_TYPE_LOGITS",
    "DEFAULT_OUTCOMES",
    "COMPONENT_LABELS",
    "CORP_REP_MAPPING",
    "CORP_REP_MISSING",
    "COST_COMPONENTS",
    "LATENT_MEANS",
    "SEGMENT_SHIFT",
    "SIMULATION_SEED",
    "TRUE_EFFECTS",
    "TRUE_WEIGHTS",
    "VALUE_COMPONENTS",
    "VALUE_MAP_COLUMNS",
    "CDVTruth",
    "ComponentScores",
    "ComponentWeights",
    "DeliveredValue",
    "GroupComparison",
    "SimulatedCDV",
    "bootstrap_means",
    "bootstrap_weights",
    "check_items",
    "compare_groups",
    "component_items",
    "corp_rep_partial",
    "delivered_value",
    "derive_weights",
    "entropy_divergences",
    "expected_item_score",
    "is_simulated",
    "instrument_overview",
    "load_instrument",
    "load_value_codebook",
    "normalise_weights",
    "out_of_sample_r2",
    "plot_component_profile",
    "plot_value_map",
    "pls_inputs",
    "read_value_survey",
    "recovery_study",
    "recovery_table",
    "regress_outcomes",
    "score_components",
    "scoring_table",
    "simulate_survey",
    "value_map_table",
    "weight_outcome",
    "weights_comparison",
    "by_label",
    "conclusion_text",
    "corp_rep_switching",
    "data_text",
    "difference_text",
    "effect_table",
    "effect_text",
    "instrument_text",
    "loyalty_recovery",
    "loyalty_text",
    "pairwise_table",
    "r2_text",
    "recovery_text",
    "switching_text",
    "value_map_text",
    "weights_text",
    "with_columns",
    "pls_text",
    "write_simulated_survey",
]
