"""Response accounting: questionnaires sent, returned, invalid (with reasons) and valid, with every rate.

Following the disposition-code logic of AAPOR's *Standard Definitions*
(2016): each rate is stated on its base (of sent, of returned), so that a
"valid rate" can be read unambiguously. The thesis in ``shared/seeds/004``
reports 220 sent, 200 returned, 30 invalid, 170 valid and a "valid rate of
85%", which is valid / returned (170/200); valid / sent is 77.3%.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._checks import check_count
from ..exceptions import DataError

__all__ = ["response_accounting", "accounting_from_intake", "account_text"]


def response_accounting(
    sent: int, returned: int, invalid: int | Mapping[str, int] = 0, valid: int | None = None
) -> pd.DataFrame:
    """One table of the response account.

    Parameters
    ----------
    sent, returned : questionnaires sent out and returned (counts).
    invalid : count of invalid returns, or reason -> count (each reason gets
        its own row, indented under "invalid").
    valid : valid returns; default ``returned - invalid``. If given it must
        equal that difference. Every count must be a whole number >= 0, and
        returned <= sent, invalid <= returned, valid <= returned
        (:class:`DataError` naming the count otherwise).

    Returns
    -------
    DataFrame indexed by ``stage`` (sent, returned, not returned, invalid,
    reasons..., valid) with ``n``, ``pct_of_sent`` and ``pct_of_returned``
    (percent; NaN where a base does not apply).
    """
    sent, returned = check_count(sent, "sent"), check_count(returned, "returned")
    if returned > sent:
        raise DataError(f"returned ({returned}) exceeds sent ({sent})")
    if isinstance(invalid, Mapping):
        reasons = {str(k): check_count(v, f"invalid[{k!r}]") for k, v in invalid.items()}
        n_invalid = sum(reasons.values())
    else:
        reasons, n_invalid = {}, check_count(invalid, "invalid")
    if n_invalid > returned:
        raise DataError(f"invalid ({n_invalid}) exceeds returned ({returned})")
    if valid is None:
        valid = returned - n_invalid
    elif check_count(valid, "valid") > returned:
        raise DataError(f"valid ({valid}) exceeds returned ({returned})")
    elif valid != returned - n_invalid:
        raise DataError(f"valid ({valid}) + invalid ({n_invalid}) != returned ({returned})")
    rows = [("sent", sent), ("returned", returned), ("not returned", sent - returned), ("invalid", n_invalid)]
    rows += [(f"  invalid: {k}", int(v)) for k, v in reasons.items()]
    rows += [("valid", valid)]
    out = pd.DataFrame(rows, columns=["stage", "n"]).set_index("stage")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_of_sent"] = 100.0 * out["n"] / sent if sent else np.nan
        out["pct_of_returned"] = 100.0 * out["n"] / returned if returned else np.nan
    out.loc[["sent", "not returned"], "pct_of_returned"] = np.nan
    out.attrs["rates"] = {
        "response rate (returned / sent)": 100.0 * returned / sent if sent else np.nan,
        "valid share of returned (valid / returned)": 100.0 * valid / returned if returned else np.nan,
        "usable response rate (valid / sent)": 100.0 * valid / sent if sent else np.nan,
    }
    return out


def accounting_from_intake(
    intake_result, sent: int | None = None, max_missing_share: float = 0.2, straightliners: bool = True
) -> pd.DataFrame:
    """Response account of a checked survey: returned = respondents in the file, invalid by reason from
    :meth:`IntakeResult.invalid_respondents`; ``sent`` defaults to the number returned (unknown)."""
    reasons = intake_result.invalid_respondents(max_missing_share, straightliners)
    counts = reasons[reasons != ""].value_counts()
    returned = len(reasons)
    return response_accounting(
        sent if sent is not None else returned, returned, {str(k): int(v) for k, v in counts.items()} or 0
    )


def account_text(account: pd.DataFrame, sent: int | None = None) -> str:
    """The sentence a report prints under a response account: valid questionnaires on each base and which
    questionnaires the analyses use (all returned ones, the invalid ones included, when there are any).

    ``account`` is a table of :func:`response_accounting`; ``sent`` the questionnaires sent out (count) when
    known (``None``: the account's ``sent`` equals ``returned`` and no rate of sent is printed).
    AAPOR (2016), *Standard Definitions*, for stating every rate on its base.
    """
    for row in ("returned", "invalid", "valid"):
        if row not in account.index:
            raise DataError(f"account has no row {row!r}; give a table of response_accounting")
    returned, invalid, valid = (int(account.loc[r, "n"]) for r in ("returned", "invalid", "valid"))
    of_sent = f", {account.loc['valid', 'pct_of_sent']:.1f}% of the {sent:,} sent" if sent else ""
    text = (f"Of {returned:,} returned questionnaires, **{valid:,}** are valid "
            f"({account.loc['valid', 'pct_of_returned']:.1f}% of returned{of_sent}). ")  # fmt: skip
    if not invalid:
        return text + f"The analyses below use all {returned:,}."
    them = "it" if invalid == 1 else "them"
    return text + (
        f"The analyses below keep all {returned:,}, the {invalid:,} invalid one{'s' * (invalid > 1)} included, so "
        "that they stay comparable with analyses of the full file (SmartPLS and seminr use every row; missing "
        f"answers are replaced by the item mean); Section 5 shows how far the paths move without {them}."
    )
