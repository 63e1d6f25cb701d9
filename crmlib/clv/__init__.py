"""Customer lifetime value: buy-till-you-die models and Gamma-Gamma spend, by maximum likelihood.

==================================  =============================================  ==========================
model                               setting                                        parameters (``params_``)
==================================  =============================================  ==========================
:class:`BetaGeoModel`               non-contractual, continuous time (BG/NBD)      ``r, alpha, a, b``
:class:`ModifiedBetaGeoModel`       non-contractual, continuous time (MBG/NBD)     ``r, alpha, a, b``
:class:`ParetoNBDModel`             non-contractual, continuous time (Pareto/NBD)  ``r, alpha, s, beta``
:class:`BetaGeoBetaBinomModel`      non-contractual, discrete time (BG/BB)         ``alpha, beta, gamma, delta``
:class:`ShiftedBetaGeometricModel`  contractual cohorts (sBG)                      ``alpha, beta``
:class:`GammaGammaModel`            spend per transaction                          ``p, q, gamma``
==================================  =============================================  ==========================

:class:`BetaGeoCovariateModel` and :class:`ParetoNBDCovariateModel` (:mod:`crmlib.clv.covariates`) add
time-invariant covariates to BG/NBD and Pareto/NBD: the scale parameters move with ``exp(gamma'z)``
(Fader & Hardie 2007, note 019), with a likelihood-ratio test against the plain model.

Every model: ``Model().fit(data)`` returns the fitted model with ``params_``,
``standard_errors_``, ``confidence_intervals_``, ``log_likelihood_``,
``aic_``, ``bic_``, ``convergence_``, ``spec_`` (the
:class:`~crmlib.spec.SummarySpec` of the data, when it carried one) and
``summary()``; see :mod:`crmlib.clv._base`. :func:`customer_lifetime_value`
combines a transaction model and the spend model; :mod:`crmlib.clv.bootstrap`
gives parametric and customer-bootstrap intervals; :mod:`crmlib.clv.validate`
checks a model on a holdout period (reading the log through
:func:`crmlib.transactions.purchase_days`); :mod:`crmlib.clv.simulate` draws
data from known parameters; :mod:`crmlib.clv.plots` draws the standard figures;
:mod:`crmlib.clv.formulas` holds the closed-form (retention) and Markov-chain
lifetime values.

Vocabulary (``docs/glossary.md``): ``discount_rate`` is an annual effective
rate, converted inside with ``periods_per_year`` (from the fitted data's spec
when present); intervals take ``level`` and have ``lower``/``upper`` columns;
bootstraps take ``n_boot``; ``probability_of_purchases(n, t)`` is P(n purchases
in t time units or opportunities ahead) in every model.
"""

from . import formulas, horizon, plots, simulate, validate
from ._base import BaseFitter, ConvergenceReport
from ._rates import continuous_rate, period_rate
from .bgbb import BetaGeoBetaBinomModel
from .bgnbd import BetaGeoModel
from .bootstrap import bootstrap_predictions, customer_bootstrap
from .covariates import BetaGeoCovariateModel, ParetoNBDCovariateModel
from .gamma_gamma import GammaGammaModel, spend_frequency_correlation
from .lifetime_value import customer_equity_interval, customer_lifetime_value
from .mbgnbd import ModifiedBetaGeoModel
from .pareto_nbd import ParetoNBDModel
from .persist import load_model
from .sbg import ShiftedBetaGeometricModel

MODELS = {
    "bgnbd": BetaGeoModel,
    "mbgnbd": ModifiedBetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "bgbb": BetaGeoBetaBinomModel,
    "sbg": ShiftedBetaGeometricModel,
    "gamma_gamma": GammaGammaModel,
}
"""The models by short name (as used in notebook parameters)."""

MODEL_LABELS = {
    "bgnbd": "BG/NBD",
    "mbgnbd": "MBG/NBD",
    "pareto_nbd": "Pareto/NBD",
    "bgbb": "BG/BB",
    "sbg": "sBG",
    "gamma_gamma": "Gamma-Gamma",
}

__all__ = [
    "formulas",
    "horizon",
    "plots",
    "simulate",
    "validate",
    "MODELS",
    "MODEL_LABELS",
    "BaseFitter",
    "ConvergenceReport",
    "bootstrap_predictions",
    "customer_bootstrap",
    "BetaGeoModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "BetaGeoCovariateModel",
    "ParetoNBDCovariateModel",
    "BetaGeoBetaBinomModel",
    "ShiftedBetaGeometricModel",
    "GammaGammaModel",
    "spend_frequency_correlation",
    "customer_lifetime_value",
    "load_model",
    "customer_equity_interval",
    "continuous_rate",
    "period_rate",
]
