"""Modules and parameters, with PyTorch's names and semantics."""
from . import functional
from .modules import Linear, Module, ModuleList, Parameter

__all__ = ["Parameter", "Module", "ModuleList", "Linear", "functional"]
