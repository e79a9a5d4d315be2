"""The ecosystem data model, as data.

An *ecosystem bundle* is a folder holding one table per entity, each as CSV
(``partners.csv``) or Parquet (``partners.parquet``) with the same columns.
This module describes those tables; :mod:`ecograph.validate` checks a bundle
against it and nothing else knows the column names by heart.

The human-readable version of this module is ``docs/data-model.md``.

Examples
--------
>>> TABLES["partners"].key
'id'
>>> sorted(ENUMS["movement_kind"])
['consume', 'deploy', 'dispose', 'produce', 'return', 'supply', 'transfer']
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "ENUMS",
    "PARTY_TABLES",
    "RELATIONSHIP_ENDPOINTS",
    "LIST_SEPARATOR",
    "RULES",
    "table_names",
]

#: Separator of multi-valued cells such as ``regions`` ("EMEA;APAC").
LIST_SEPARATOR = ";"

ENUMS: dict[str, tuple[str, ...]] = {
    "partner_type": (
        "reseller",
        "distributor",
        "msp",
        "system_integrator",
        "isv",
        "technology",
        "referral",
        "logistics",
    ),
    "partner_tier": ("platinum", "gold", "silver", "registered"),
    "customer_status": ("customer", "prospect"),
    "supplier_type": ("raw_material", "component", "hardware", "contract_manufacturer", "logistics"),
    "relationship_type": (
        "sells_to",
        "co_sells_with",
        "supplies",
        "distributes_for",
        "integrates_with",
        "refers",
    ),
    "deal_status": ("registered", "approved", "won", "lost"),
    "movement_kind": ("supply", "transfer", "deploy", "return", "dispose", "consume", "produce"),
    "bool": ("true", "false"),
}


@dataclass(frozen=True)
class Column:
    """One column of a bundle table.

    ``kind`` is one of ``id``, ``str``, ``enum``, ``int``, ``units``,
    ``float``, ``date`` or ``bool``. ``ref`` names the table(s) whose key a
    value must match; with ``many=True`` the cell is a ``;``-separated list.

    Attributes
    ----------
    name : str
        The column header.
    kind : str, default "str"
        How its cells are read (one of the kinds above).
    required : bool, default True
        Whether the column must exist and its cells be filled.
    enum : str, optional
        For ``kind="enum"``: the key of :data:`ENUMS` listing the allowed values.
    ref : tuple of str, default ()
        Tables whose key every value must match.
    many : bool, default False
        Whether a cell holds a :data:`LIST_SEPARATOR`-separated list.
    min_value : float, optional
        The least value a number may take.
    min_exclusive : bool, default False
        Whether ``min_value`` itself is refused too (a number must be above it).
    doc : str, default ""
        What the column means (``docs/data-model.md``).

    Examples
    --------
    >>> col = TABLES["partners"].by_name["regions"]
    >>> col.kind, col.many, col.doc
    ('str', True, 'regions served; the first is the home region')
    >>> Column("units", "units").required
    True
    """

    name: str
    kind: str = "str"
    required: bool = True
    enum: str | None = None
    ref: tuple[str, ...] = ()
    many: bool = False
    min_value: float | None = None
    min_exclusive: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """One table of a bundle: its columns, key and whether the file must exist.

    Attributes
    ----------
    name : str
        The table's name, which is also its file's stem (``partners.csv``).
    columns : tuple of Column
        Its columns, in file order.
    key : str, default "id"
        The column that identifies a row.
    required : bool, default True
        Whether a bundle must hold the file.
    doc : str, default ""
        What the table holds.
    rows : {"any", "one"}, default "any"
        ``"one"`` for the focal company's table (exactly one row).
    by_name : dict of str to Column
        The columns by name (made from ``columns``).

    Examples
    --------
    >>> movements = TABLES["movements"]
    >>> movements.required, movements.key, [c.name for c in movements.columns][:4]
    (False, 'id', ['id', 'date', 'sku', 'kind'])
    >>> TABLES["asset_classes"].key, TABLES["company"].rows
    ('sku', 'one')
    """

    name: str
    columns: tuple[Column, ...]
    key: str = "id"
    required: bool = True
    doc: str = ""
    rows: str = "any"  # "any", or "one" for the focal company
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})


PARTY_TABLES = ("company", "partners", "customers", "suppliers")

_C = Column
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "company",
            (
                _C("id", "id"),
                _C("name"),
                _C("industry", required=False),
                _C("region", required=False),
            ),
            rows="one",
            doc="The focal company whose ecosystem this is (exactly one row).",
        ),
        Table(
            "capabilities",
            (_C("id", "id"), _C("name"), _C("category", required=False)),
            doc="Vocabulary of capabilities and certifications partners hold and products need.",
        ),
        Table(
            "partners",
            (
                _C("id", "id"),
                _C("name"),
                _C("partner_type", "enum", enum="partner_type"),
                _C("tier", "enum", enum="partner_tier"),
                _C("regions", many=True, doc="regions served; the first is the home region"),
                _C("capabilities", ref=("capabilities",), many=True, required=False),
                _C("certifications", ref=("capabilities",), many=True, required=False),
                _C("joined", "date", required=False),
                _C("ttr_days", "float", required=False, min_value=0,
                   doc="time to recover after a disruption, days (empty: the analysis default)"),
            ),
        ),
        Table(
            "customers",
            (
                _C("id", "id"),
                _C("name"),
                _C("status", "enum", enum="customer_status"),
                _C("segment"),
                _C("industry"),
                _C("region"),
                _C("employees", "int", required=False, min_value=0),
                _C("needs", ref=("capabilities",), many=True, required=False,
                   doc="capabilities the account has asked for"),
            ),
        ),
        Table(
            "suppliers",
            (
                _C("id", "id"),
                _C("name"),
                _C("supplier_type", "enum", enum="supplier_type"),
                _C("region"),
                _C("supply_tier", "int", required=False, min_value=1,
                   doc="1 = supplies the company directly, 2 = supplies a tier-1, ..."),
                _C("capacity", "float", required=False, min_value=0,
                   doc="site capacity: the most units per year (of what it ships) across all its "
                       "outbound flow edges"),
                _C("ttr_days", "float", required=False, min_value=0,
                   doc="time to recover after a disruption, days (empty: the analysis default)"),
            ),
        ),
        Table(
            "asset_classes",
            (
                _C("sku", "id"),
                _C("name"),
                _C("unit", doc="unit of measure: each, kg, m, pallet, ..."),
                _C("category"),
                _C("counted", "bool", doc="true: whole units only (servers); false: measured (kg)"),
                _C("inputs", ref=("asset_classes",), many=True, required=False,
                   doc="bill of materials: SKUs consumed to make one of these"),
                _C("unit_value", "float", required=False, min_value=0,
                   doc="value of one unit (the revenue weight of value at risk)"),
            ),
            key="sku",
            doc="Kinds of physical asset tracked in units, never money.",
        ),
        Table(
            "bom",
            (
                _C("id", "id"),
                _C("sku", ref=("asset_classes",), doc="the SKU made"),
                _C("input", ref=("asset_classes",), doc="a SKU consumed to make it (one of its inputs)"),
                _C("quantity", "float", min_value=0, min_exclusive=True,
                   doc="units of input per unit of sku (an input with no bom line: 1)"),
            ),
            required=False,
            doc="Bill-of-materials quantities: how much of each input one unit of a SKU takes.",
        ),
        Table(
            "products",
            (
                _C("id", "id"),
                _C("name"),
                _C("category"),
                _C("capabilities", ref=("capabilities",), many=True, required=False,
                   doc="capabilities a partner needs to sell and deliver it"),
                _C("sku", ref=("asset_classes",), required=False,
                   doc="the physical asset class, for hardware products"),
            ),
        ),
        Table(
            "relationships",
            (
                _C("id", "id"),
                _C("source", ref=PARTY_TABLES),
                _C("target", ref=PARTY_TABLES),
                _C("type", "enum", enum="relationship_type"),
                _C("sku", ref=("asset_classes",), required=False,
                   doc="the asset class that flows along it (supplies, sells_to)"),
                _C("volume", "float", required=False, min_value=0,
                   doc="units per year: the normal flow along the edge"),
                _C("capacity", "float", required=False, min_value=0,
                   doc="the most units per year the edge can carry (empty: its volume, no slack)"),
                _C("weight", "float", required=False, min_value=0),
                _C("start", "date", required=False),
                _C("end", "date", required=False),
            ),
        ),
        Table(
            "deals",
            (
                _C("id", "id"),
                _C("partner", ref=("partners",)),
                _C("customer", ref=("customers",)),
                _C("product", ref=("products",)),
                _C("registered", "date"),
                _C("closed", "date", required=False),
                _C("status", "enum", enum="deal_status"),
                _C("amount", "float", required=False, min_value=0),
                _C("cosell_partner", ref=("partners",), required=False),
            ),
            doc="Deal registrations submitted by partners.",
        ),
        Table(
            "movements",
            (
                _C("id", "id"),
                _C("date", "date"),
                _C("sku", ref=("asset_classes",)),
                _C("kind", "enum", enum="movement_kind"),
                _C("from_party", ref=PARTY_TABLES, required=False),
                _C("to_party", ref=PARTY_TABLES, required=False),
                _C("units", "units"),
                _C("note", required=False),
                _C("lot", required=False,
                   doc="ties a produce row to the consume rows of its components (see docs/ledger.md)"),
            ),
            required=False,
            doc="The physical-account ledger: dated unit movements.",
        ),
        Table(
            "audits",
            (
                _C("id", "id"),
                _C("date", "date"),
                _C("party", ref=PARTY_TABLES),
                _C("sku", ref=("asset_classes",)),
                _C("counted", "units", doc="units physically counted (zero allowed)"),
            ),
            required=False,
            doc="Physical audit counts per party and SKU.",
        ),
    )
}

#: Which party kinds each relationship type may join (source kinds, target kinds).
RELATIONSHIP_ENDPOINTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sells_to": (("partners", "company", "suppliers"), ("customers",)),
    "co_sells_with": (("partners",), ("partners",)),
    "supplies": (("suppliers", "partners", "company"), PARTY_TABLES),
    "distributes_for": (("partners",), ("company", "suppliers")),
    "integrates_with": (("partners", "company"), ("partners", "company")),
    "refers": (("partners",), ("customers", "partners")),
}


#: Every rule a validation finding can name, with what it means (docs/data-model.md).
RULES: dict[str, str] = {
    "missing_file": "a required table has no file",
    "ambiguous_file": "both `name.csv` and `name.parquet` exist",
    "unknown_file": "a `.csv`/`.parquet` that is not a bundle table",
    "empty_file": "a file with no header",
    "file_too_large": "over `ECOGRAPH_MAX_FILE_MB`",
    "outside_bundle": "a table file that links outside the bundle folder (path traversal)",
    "unreadable_file": "a Parquet file that cannot be read",
    "encoding": "not UTF-8 (row of the first bad byte)",
    "delimiter": "the header looks semicolon-delimited",
    "csv_syntax": "e.g. an unclosed quote",
    "ragged_row": "a row with more or fewer cells than the header",
    "rejected_reference": "references to a row that was itself rejected (e.g. ragged): one finding per id",
    "blank_row": "an empty line, skipped",
    "duplicate_column": "a header name appears twice",
    "cell_too_large": "a cell over 100,000 characters",
    "missing_column": "a required column is absent",
    "unknown_column": "a column the table does not define; ignored",
    "required": "an empty required cell",
    "empty_id": "an empty id",
    "whitespace": "an id or reference with leading or trailing spaces",
    "control_character": "a text cell holding a control character (NUL, escape, C1...; text may hold "
                         "tabs and line breaks, ids and references not)",
    "type": "not a number / whole number / `true`/`false` (ASCII digits only), or a Parquet "
            "column or typed value the column cannot hold (a list, bytes, a struct)",
    "out_of_range": "a whole number beyond 64 bits, or a number too large to count units exactly",
    "precision": "more significant digits than a float64 keeps: it would be written back changed",
    "below_minimum": "under the column's minimum (e.g. a negative volume)",
    "enum": "not one of the allowed values (listed in the message)",
    "date_format": "not `YYYY-MM-DD`",
    "invalid_date": "no such calendar date",
    "duplicate_id": "id used before (the message names the first row and file)",
    "id_case_conflict": "id differs only in case from another (Unicode case folding)",
    "id_compatibility_conflict": "id differs from another only in Unicode compatibility forms "
                                 "(full-width letters, ligatures: the same after NFKC)",
    "id_confusable": "id looks like another: look-alike Cyrillic/Greek letters or invisible "
                     "characters (the same skeleton)",
    "id_normalised": "an id or reference not in Unicode NFC, read and stored as its NFC form "
                     "(a warning)",
    "dangling_reference": "a reference to an id that does not exist",
    "relationship_endpoint": "a relationship type joining kinds of party it may not join",
    "self_relationship": "a relationship from a party to itself",
    "end_before_start": "`end` before `start`, or `closed` before `registered`",
    "missing_close_date": "a won or lost deal without `closed`",
    "self_cosell": "a deal's co-sell partner is its own partner",
    "company_rows": "the company table does not have exactly one row",
    "non_positive_units": "a movement of zero or negative units",
    "negative_units": "a negative audit count",
    "fractional_units": "a fraction of a counted SKU",
    "missing_party": "a movement lacks a party its kind needs",
    "unexpected_party": "a movement has a party its kind must not have",
    "self_transfer": "units moving from a party to itself",
    "overdraft": "a balance negative at the end of a day",
    "lot_required": "a produce or consume movement without a `lot`",
    "lot_unbalanced": "a lot without exactly one produce, a consume off the produce's date or party, "
                      "or components consumed other than produced x bill of materials",
    "capacity_below_volume": "a relationship's capacity is less than its volume (its normal flow)",
    "bom_not_an_input": "a bom line whose input is not in its SKU's `inputs`",
    "duplicate_bom_line": "the same SKU and input on two bom lines",
}


def table_names() -> list[str]:
    """Names of all bundle tables, in load order (referenced tables first).

    Returns
    -------
    list of str
        The keys of :data:`TABLES`.

    Examples
    --------
    >>> table_names()[:3]
    ['company', 'capabilities', 'partners']
    """
    return list(TABLES)
