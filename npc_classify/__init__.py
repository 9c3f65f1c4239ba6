"""Text classification with compressors: normalized compression distance + kNN."""

from ._compression_classifier import CompressionClassifier
from ._distance import pairwise_ncd
from ._explanation import ClassCostExplanation, NeighborExplanation
from ._ncd_classifier import NCDClassifier
from ._ncd_regressor import NCDRegressor
from ._ncd_transformer import NCDTransformer
from ._persistence import load_model, save_model, trusted_types
from .compressors import Compressor, available_compressors, get_compressor

__all__ = [
    "ClassCostExplanation",
    "CompressionClassifier",
    "Compressor",
    "NCDClassifier",
    "NCDRegressor",
    "NCDTransformer",
    "NeighborExplanation",
    "available_compressors",
    "get_compressor",
    "load_model",
    "pairwise_ncd",
    "save_model",
    "trusted_types",
]

__version__ = "0.1.0"
