"""User-level layers that own weights and run on the software twin."""

from .dense import DenseLayer

__all__ = ["DenseLayer"]
