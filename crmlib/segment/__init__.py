"""Customer tiers, tier migration and multi-indicator customer evaluation.

Modules
-------
``tiers``  :class:`TierRule`, :data:`PYRAMID`, :func:`assign_tiers`, :func:`tier_profile`, :func:`migration_matrix`
``mcda``   :func:`normalise_indicators`, :func:`entropy_weights`, :func:`ahp_weights`, :func:`score_customers`

References are given in each module (Zeithaml, Rust & Lemon 2001; Saaty 1977-2008;
Zou, Yun & Sun 2006).
"""

from . import behaviour, classes, tables, utility  # noqa: F401  (issue 18: classes, states, index; report tables)
from .mcda import (
    RANDOM_INDEX,
    AHPResult,
    EntropyWeights,
    ahp_weights,
    entropy_weights,
    normalise_indicators,
    score_customers,
)
from .tiers import (
    PYRAMID,
    TIER_RULES,
    TierRule,
    assign_tiers,
    migration_matrix,
    plot_migration,
    plot_tier_shares,
    tier_profile,
)

__all__ = [
    "TierRule",
    "PYRAMID",
    "TIER_RULES",
    "assign_tiers",
    "tier_profile",
    "migration_matrix",
    "plot_migration",
    "plot_tier_shares",
    "normalise_indicators",
    "EntropyWeights",
    "entropy_weights",
    "RANDOM_INDEX",
    "AHPResult",
    "ahp_weights",
    "score_customers",
]
