"""Bills of materials: how many units of each input one unit of a SKU takes.

``asset_classes.inputs`` says *which* SKUs go into a SKU; the optional ``bom``
table says *how many* of each (``quantity`` units of ``input`` per unit of
``sku``). An input listed without a bom line takes 1. :func:`bom_lines` joins
the two into the one table the ledger, the validation rules and the analyses
read, so none of them re-derives the default.

>>> import pandas as pd
>>> assets = pd.DataFrame({"sku": ["PUMP", "SEAL"], "inputs": [("SEAL", "MOTOR"), ()]})
>>> bom = pd.DataFrame({"id": ["B1"], "sku": ["PUMP"], "input": ["SEAL"], "quantity": [4.0]})
>>> bom_lines(assets, bom).values.tolist()
[['PUMP', 'SEAL', 4.0, 'B1'], ['PUMP', 'MOTOR', 1.0, None]]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["bom_lines", "input_pairs"]

#: The columns of :func:`bom_lines`.
COLUMNS = ["sku", "input", "quantity", "line"]


def input_pairs(asset_classes: pd.DataFrame) -> pd.DataFrame:
    """Every (SKU, input) pair that ``asset_classes.inputs`` lists, in table order.

    Parameters
    ----------
    asset_classes : pandas.DataFrame
        With ``sku`` and ``inputs`` (tuples, as :class:`~ecograph.Ecosystem` holds
        them; a missing cell lists nothing).

    Returns
    -------
    pandas.DataFrame
        ``sku, input``, one row per listed input (a pair listed twice appears once).

    Examples
    --------
    >>> import pandas as pd
    >>> assets = pd.DataFrame({"sku": ["PUMP", "SEAL"], "inputs": [("SEAL", "MOTOR"), None]})
    >>> input_pairs(assets).values.tolist()
    [['PUMP', 'SEAL'], ['PUMP', 'MOTOR']]
    """
    inputs = asset_classes["inputs"].map(lambda v: tuple(v) if isinstance(v, tuple | list) else ())
    pairs = pd.DataFrame({"sku": asset_classes["sku"], "input": inputs}).explode("input")
    pairs = pairs[pairs["input"].notna() & pairs["sku"].notna()]
    return pairs.drop_duplicates().reset_index(drop=True).astype({"sku": object, "input": object})


def bom_lines(asset_classes: pd.DataFrame, bom: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units of each input per unit of each SKU: the ``bom`` quantity, or 1 where it has no line.

    Only pairs listed in ``asset_classes.inputs`` count; a bom line for any
    other pair is invalid (rule ``bom_not_an_input``) and ignored here.

    Parameters
    ----------
    asset_classes : pandas.DataFrame
        With ``sku`` and ``inputs`` (``eco.asset_classes``).
    bom : pandas.DataFrame, optional
        ``id, sku, input, quantity`` (``eco.bom``); ``None`` or empty: every
        input takes 1.

    Returns
    -------
    pandas.DataFrame
        ``sku, input, quantity, line``: one row per listed input, in
        ``asset_classes`` order; ``line`` is the bom line's id (``None`` for the
        default of 1).

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> bom_lines(eco.asset_classes, eco.bom).values.tolist()
    [['SRV', 'STEEL', 12.5, 'B1']]
    >>> bom_lines(eco.asset_classes).values.tolist()
    [['SRV', 'STEEL', 1.0, None]]
    """
    pairs = input_pairs(asset_classes)
    if bom is None or bom.empty:
        given = pd.DataFrame({"sku": [], "input": [], "quantity": [], "line": []}, dtype=object)
    else:
        given = (bom.rename(columns={"id": "line"})[COLUMNS].astype(object)
                 .drop_duplicates(["sku", "input"]))  # a duplicate line is an error; the first counts
    out = pairs.merge(given, on=["sku", "input"], how="left", validate="one_to_one")
    out["quantity"] = pd.to_numeric(out["quantity"]).fillna(1.0).astype("float64")
    out["line"] = out["line"].astype(object).where(out["line"].notna(), None)
    return out[COLUMNS]
