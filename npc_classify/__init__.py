"""Text classification with compressors: normalized compression distance + kNN.

The public names are imported on first use (PEP 562), so that ``import
npc_classify`` does not wait for NumPy and scikit-learn: the ``npc-classify``
command handles Ctrl-C and SIGTERM from its first line on. ``from
npc_classify import NCDClassifier`` and ``npc_classify.NCDClassifier`` work as
for any module, and type checkers read the imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import coding as coding
    from . import compressors as compressors
    from . import datasets as datasets
    from . import evaluation as evaluation
    from . import reports as reports
    from ._compression_classifier import CompressionClassifier
    from ._distance import pairwise_ncd
    from ._explanation import ClassCostExplanation, NeighborExplanation
    from ._ncd_classifier import NCDClassifier
    from ._ncd_regressor import NCDRegressor
    from ._ncd_transformer import NCDTransformer
    from ._persistence import load_model, save_model, trusted_types
    from ._typing import Texts
    from .compressors import Compressor, available_compressors, get_compressor

__all__ = [
    "ClassCostExplanation",
    "CompressionClassifier",
    "Compressor",
    "NCDClassifier",
    "NCDRegressor",
    "NCDTransformer",
    "NeighborExplanation",
    "Texts",
    "available_compressors",
    "get_compressor",
    "load_model",
    "pairwise_ncd",
    "save_model",
    "trusted_types",
]

__version__ = "0.1.0"

#: The module that defines each public name.
_HOMES = {
    "ClassCostExplanation": "._explanation",
    "CompressionClassifier": "._compression_classifier",
    "Compressor": ".compressors",
    "NCDClassifier": "._ncd_classifier",
    "NCDRegressor": "._ncd_regressor",
    "NCDTransformer": "._ncd_transformer",
    "NeighborExplanation": "._explanation",
    "Texts": "._typing",
    "available_compressors": ".compressors",
    "get_compressor": ".compressors",
    "load_model": "._persistence",
    "pairwise_ncd": "._distance",
    "save_model": "._persistence",
    "trusted_types": "._persistence",
}
#: The public subpackages and modules, attributes of the package once imported.
_SUBMODULES = ("coding", "compressors", "datasets", "evaluation", "reports")

if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all attribute

    def __getattr__(name: str) -> Any:
        if name in _SUBMODULES:
            return importlib.import_module(f".{name}", __name__)
        if name not in _HOMES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(_HOMES[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
