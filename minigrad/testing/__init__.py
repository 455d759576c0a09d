"""Tools for testing gradients: ``gradcheck`` and (in ``strategies``) hypothesis strategies."""
from .gradcheck import GradcheckError, gradcheck, numerical_vjp

__all__ = ["gradcheck", "numerical_vjp", "GradcheckError"]
