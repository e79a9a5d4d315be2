"""ecograph: a partner ecosystem as a graph — where it is strong, fragile, and should grow.

The house, lowest layer first (each imports only from layers below it):
``schema, errors, frames, dates, files`` → ``ingest, ledger, bom, validate`` →
``ecosystem, ties`` → ``twins, graphs`` (views) → ``analysis`` →
``pipeline, report, plots, explorer, wording, summary, explore, export, statements,
outputs, flags, store, synth`` → ``cli``.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/manufacturing")
>>> ecograph.view(eco, "supply").is_directed()
True
"""

from .ecosystem import Ecosystem, load_bundle, load_tables
from .errors import BundleError, BundleNotFoundError, EcographError, ParameterError, StoreError
from .graphs import view
from .twins import twin
from .validate import ValidationResult, validate_bundle, validate_tables

__all__ = [
    "Ecosystem",
    "load_bundle",
    "load_tables",
    "validate_bundle",
    "validate_tables",
    "ValidationResult",
    "view",
    "twin",
    "EcographError",
    "BundleError",
    "BundleNotFoundError",
    "ParameterError",
    "StoreError",
]

__version__ = "0.1.0"
