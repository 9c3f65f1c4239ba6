"""Text classification with compressors: normalized compression distance + kNN."""

from ._classifier import NCDClassifier
from ._ncd import pairwise_ncd
from .compressors import Compressor, available_compressors, get_compressor

__all__ = [
    "Compressor",
    "NCDClassifier",
    "available_compressors",
    "get_compressor",
    "pairwise_ncd",
]

__version__ = "0.1.0"
