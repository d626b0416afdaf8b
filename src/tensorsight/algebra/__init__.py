"""Layer algebra: a convolution as its exact matrix, and the im2col view behind it.

Importing this package imports torch (the top-level ``tensorsight`` package re-exports these
names lazily, so the command line stays fast).
"""
from .conv_matrix import SparseLinear, conv_matrix, conv_to_linear
from .im2col import Im2colExplanation, explain_im2col

__all__ = ["conv_matrix", "conv_to_linear", "SparseLinear", "explain_im2col", "Im2colExplanation"]
