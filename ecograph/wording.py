"""Words for people: parties named with their ids, counts with natural plurals.

Every report, statement and terminal summary says "Cedar Data (P00001)",
never a bare id, and "1 gap" / "3 gaps", never "1 gaps".

>>> plural(1, "gap"), plural(3, "discrepancy")
('1 gap', '3 discrepancies')
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["plural", "party_label", "party_labels", "join_words"]

_IRREGULAR = {"discrepancy": "discrepancies", "company": "companies", "community": "communities",
              "party": "parties", "this": "these", "is": "are", "has": "have"}


def plural(n: float, word: str, many: str | None = None) -> str:
    """``n`` and ``word`` in the number ``n`` needs: ``1 gap``, ``0 gaps``, ``1,200 gaps``.

    Parameters
    ----------
    n : int or float
        The count.
    word : str
        The singular noun (of several words, the last one takes the plural).
    many : str, optional
        The plural, when it is not ``word + "s"`` and not a known irregular one.

    Returns
    -------
    str

    Examples
    --------
    >>> plural(1, "error"), plural(0, "error"), plural(2, "community"), plural(1200, "deal")
    ('1 error', '0 errors', '2 communities', '1,200 deals')
    >>> plural(0, "audit discrepancy"), plural(2.5, "unit")
    ('0 audit discrepancies', '2.5 units')
    """
    head, _, last = word.rpartition(" ")
    many = many or (head + " " if head else "") + _IRREGULAR.get(last, last + "s")
    number = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    return f"{number} {word if n == 1 else many}"


def party_label(name: object, party: object) -> str:
    """``Name (ID)``, or the id alone when the party has no name (or the name is the id).

    Parameters
    ----------
    name : str or None
        The party's name (missing: ``None`` or NaN).
    party : str
        The party's id.

    Returns
    -------
    str

    Examples
    --------
    >>> party_label("Cedar Data", "P00001"), party_label(None, "P9")
    ('Cedar Data (P00001)', 'P9')
    """
    if name is None or pd.isna(name) or str(name) == str(party):
        return str(party)
    return f"{name} ({party})"


def party_labels(names: Iterable, ids: Iterable) -> list[str]:
    """:func:`party_label` of each ``(name, id)`` pair.

    Parameters
    ----------
    names, ids : iterables of the same length
        Names (missing allowed) and ids.

    Returns
    -------
    list of str

    Examples
    --------
    >>> party_labels(["Cedar Data", None], ["P00001", "P2"])
    ['Cedar Data (P00001)', 'P2']
    """
    return [party_label(n, i) for n, i in zip(names, ids, strict=True)]


def join_words(items: Iterable[str], *, none: str = "none") -> str:
    """Items joined as a person writes them: ``a``, ``a and b``, ``a, b and c``; ``none`` when empty.

    Parameters
    ----------
    items : iterable of str
    none : str, default "none"
        What to say when there are no items.

    Returns
    -------
    str

    Examples
    --------
    >>> join_words(["a", "b", "c"]), join_words([]), join_words(["a"])
    ('a, b and c', 'none', 'a')
    """
    items = list(items)
    if not items:
        return none
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
