"""Supply rules: an edge's capacity covers its normal flow; bill-of-materials lines are inputs, once each."""

from __future__ import annotations

import pandas as pd

from ..bom import input_pairs
from ..errors import Findings
from ..ingest import ROW

__all__ = ["check_capacity", "check_bom"]


def check_capacity(relationships: pd.DataFrame, file: str, findings: Findings) -> None:
    """A relationship's ``capacity`` may not be below its ``volume``.

    ``volume`` is the normal flow and ``capacity`` the most the edge can carry,
    both in units per year; an empty capacity means the volume (no slack), an
    empty volume is not checked.

    Parameters
    ----------
    relationships : pandas.DataFrame
        The parsed ``relationships`` table.
    file : str
        What findings call the table.
    findings : Findings
        Where problems are recorded (rule ``capacity_below_volume``, on ``capacity``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> rel = pd.DataFrame({"volume": [100.0, 100.0, None, 50.0], "capacity": [80.0, 120.0, 5.0, None],
    ...                     "_row": [2, 3, 4, 5]})
    >>> findings = Findings()
    >>> check_capacity(rel, "relationships.csv", findings)
    >>> findings.frame()[["row", "column", "rule", "value", "message"]].values.tolist()
    [[2, 'capacity', 'capacity_below_volume', '80.0', 'is below the volume 100 (units per year it \
normally carries); capacity is the most it can carry']]
    """
    if "capacity" not in relationships or "volume" not in relationships:
        return
    low = (relationships["capacity"] < relationships["volume"]).fillna(False).astype(bool)
    if low.any():
        findings.add_many(file, relationships.loc[low, ROW], "capacity", "capacity_below_volume",
                          relationships.loc[low, "capacity"],
                          "is below the volume " + relationships.loc[low, "volume"].map("{:g}".format)
                          + " (units per year it normally carries); capacity is the most it can carry")


def check_bom(bom: pd.DataFrame, file: str, asset_classes: pd.DataFrame | None,
              findings: Findings) -> None:
    """Each bom line joins a SKU to one of its ``inputs``, and no pair has two lines.

    A line whose SKU or input is empty or names no asset class is already a
    finding (``required``, ``dangling_reference``) and is not checked again.

    Parameters
    ----------
    bom : pandas.DataFrame
        The parsed ``bom`` table.
    file : str
        What findings call the table.
    asset_classes : pandas.DataFrame or None
        The parsed ``asset_classes`` table (each SKU's ``inputs``); ``None``:
        nothing is checked against it.
    findings : Findings
        Where problems are recorded (rules ``bom_not_an_input`` and
        ``duplicate_bom_line``, on ``input``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> assets = pd.DataFrame({"sku": ["PUMP", "SEAL", "MOTOR"], "inputs": [("SEAL", "MOTOR"), (), ()]})
    >>> bom = pd.DataFrame({"sku": ["PUMP", "PUMP", "SEAL"], "input": ["SEAL", "SEAL", "MOTOR"],
    ...                     "quantity": [4.0, 2.0, 1.0], "_row": [2, 3, 4]})
    >>> findings = Findings()
    >>> check_bom(bom, "bom.csv", assets, findings)
    >>> findings.frame()[["row", "column", "rule", "value"]].values.tolist()
    [[3, 'input', 'duplicate_bom_line', 'SEAL'], [4, 'input', 'bom_not_an_input', 'MOTOR']]
    """
    if not {"sku", "input"} <= set(bom) or bom.empty:
        return
    filled = bom["sku"].notna() & bom["input"].notna()
    twice = filled & bom.duplicated(["sku", "input"])
    if twice.any():
        first = bom[filled].drop_duplicates(["sku", "input"]).set_index(["sku", "input"])[ROW]
        at = pd.MultiIndex.from_frame(bom.loc[twice, ["sku", "input"]])
        findings.add_many(file, bom.loc[twice, ROW], "input", "duplicate_bom_line", bom.loc[twice, "input"],
                          bom.loc[twice, "sku"] + " already takes this input on " + file + " row "
                          + pd.Series(first.reindex(at).to_numpy(), index=bom.index[twice]).astype(str)
                          + "; one line per SKU and input")
    if asset_classes is None or not {"sku", "inputs"} <= set(asset_classes):
        return
    known = set(asset_classes["sku"].dropna())
    pairs = pd.MultiIndex.from_frame(input_pairs(asset_classes))
    here = pd.MultiIndex.from_frame(bom[["sku", "input"]].astype(object))
    stray = filled & ~twice & bom["sku"].isin(known) & bom["input"].isin(known) & ~here.isin(pairs)
    if stray.any():
        findings.add_many(file, bom.loc[stray, ROW], "input", "bom_not_an_input", bom.loc[stray, "input"],
                          "is not among the inputs of " + bom.loc[stray, "sku"]
                          + " in asset_classes; list it there or remove this line")
