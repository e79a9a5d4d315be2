"""ecograph: a partner ecosystem as a graph — where it is strong, fragile, and should grow.

>>> import ecograph
>>> eco = ecograph.load_bundle("fixtures/manufacturing")
>>> eco.view("supply").is_directed()
True
"""

from .ecosystem import Ecosystem, load_bundle
from .errors import BundleError, BundleNotFoundError, EcographError, ParameterError
from .validate import ValidationResult, validate_bundle

__all__ = [
    "Ecosystem",
    "load_bundle",
    "validate_bundle",
    "ValidationResult",
    "EcographError",
    "BundleError",
    "BundleNotFoundError",
    "ParameterError",
]

__version__ = "0.1.0"
