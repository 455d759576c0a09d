"""The ESN's readout solvers: the ridge solve and the BLAS-tuned sums of its normal equations.

Seed 000, "Training readouts": W_out = Y H^T (H H^T + beta I)^-1, with H H^T and Y H^T
summed chunk by chunk (``ESN.fit``) so that memory does not grow with the length of the data.
Also the checks of the training data, and ``nrmse``, the error the ESN literature scores a readout by.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.linalg.blas import dgemm, dsyrk

from ._checks import check_count, check_same_length


def nrmse(
    prediction: np.ndarray, target: np.ndarray, target_std: float | None = None
) -> float:
    """Normalised root-mean-square error, as in the ESN literature.

    NRMSE = sqrt(mean((prediction - target)^2)) / std(target): 0 is perfect,
    1 is what always predicting the target's mean scores. Jaeger's NRMSE_84
    normalises by the standard deviation of the whole signal rather than of
    the few values compared; pass it as `target_std` for that.

    Args:
        prediction: array of any shape.
        target: array of the same shape.
        target_std: the normaliser; defaults to target.std().

    Returns:
        the NRMSE as a float.
    """
    prediction = np.asarray(prediction, dtype=float)
    target = np.asarray(target, dtype=float)
    if prediction.shape != target.shape:
        raise ValueError(
            f"nrmse: prediction and target must have the same shape, "
            f"got {prediction.shape} and {target.shape}"
        )
    if target.size == 0:
        raise ValueError("nrmse: prediction and target are empty")
    scale = float(target.std()) if target_std is None else float(target_std)
    if not (np.isfinite(scale) and scale > 0.0):
        raise ValueError(
            f"nrmse: the target's standard deviation must be positive and finite, got {scale}"
        )
    return float(np.sqrt(np.mean((prediction - target) ** 2)) / scale)


def check_training_data(who: str, inputs: list[np.ndarray], targets: list[np.ndarray], washout: int,
                        chunk_size: int) -> None:
    """As many target sequences as input ones, each as long as its input and longer than the washout.

    Args:
        who: the caller, named by every error ("ESN.fit").
        inputs: the checked (T_i, input_size) sequences.
        targets: the checked (T_i, output_size) sequences.
        washout: states dropped at the start of every sequence, >= 0.
        chunk_size: steps accumulated per BLAS call, >= 1.
    """
    if len(inputs) != len(targets):
        raise ValueError(
            f"{who}: X and Y must hold the same number of sequences, "
            f"got {len(inputs)} and {len(targets)}"
        )
    check_count(who, "washout", washout, minimum=0)
    check_count(who, "chunk_size", chunk_size, minimum=1)
    for index, (x_seq, y_seq) in enumerate(zip(inputs, targets)):
        label = "" if len(inputs) == 1 else f" in sequence {index}"
        check_same_length(who, f"X{label}", x_seq.shape[0], f"Y{label}", y_seq.shape[0])
        if washout >= x_seq.shape[0]:
            raise ValueError(
                f"{who}: washout={washout} leaves no training step{label}: "
                f"it has only {x_seq.shape[0]} steps"
            )


def empty_normal_equations(n_features: int, output_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Zero sums (H H^T (F, F), H Y^T (F, D_out)) laid out for ``_add_gram`` and ``_add_cross``."""
    # Fortran order lets BLAS update the Gram matrix in place (dsyrk below).
    gram = np.zeros((n_features, n_features), order="F")
    # H Y^T rather than Y H^T: z.T is then a Fortran-ordered view for BLAS.
    cross_t = np.zeros((n_features, output_size), order="F")
    return gram, cross_t


def solve_ridge(gram: np.ndarray, cross: np.ndarray, ridge: float) -> np.ndarray:
    """Solve the regularised normal equations for the readout.

    Seed 000, "Training readouts": W_out = Y H^T (H H^T + beta I)^-1. Never
    form the inverse: W_out (H H^T + beta I) = Y H^T is, transposed, the
    symmetric positive definite system (H H^T + beta I) W_out^T = H Y^T,
    solved by a Cholesky factorisation and two triangular solves.

    Args:
        gram: (F, F) H H^T, the sum of z(n) z(n)^T over the training steps.
            Only its upper triangle is read (the one `_add_gram` fills), and
            it is overwritten by the factorisation: a copy would cost
            another 8 F^2 bytes (docs/benchmarks.md, choices_nets).
        cross: (D_out, F) Y H^T, the sum of y(n) z(n)^T.
        ridge: beta >= 0.

    Returns:
        W_out of shape (D_out, F).
    """
    gram[np.diag_indices_from(gram)] += ridge
    try:
        factor = scipy.linalg.cho_factor(gram, lower=False, overwrite_a=True)
    except np.linalg.LinAlgError as error:
        advice = "use a positive ridge" if ridge == 0 else "use a larger ridge"
        raise ValueError(
            f"the readout's normal equations H H^T + beta I are singular with beta={ridge} "
            f"(the collected states are linearly dependent, or nearly so in floating "
            f"point); {advice} ({error})"
        ) from None
    return scipy.linalg.cho_solve(factor, cross.T).T


#
# Why the products in `fit` call scipy's BLAS by hand instead of using `@`:
# numpy and scipy each ship their own OpenBLAS, each with its own pool of
# threads, and a pool keeps its threads spinning for a while after a call.
# Alternating numpy's `@` with scipy's dsyrk, chunk after chunk, makes the two
# pools fight over the cores, and the Gram updates slow down (the figures:
# docs/benchmarks.md, choices_nets). One library, one pool.


def _times_transpose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return a @ b^T, by scipy's BLAS (see above).

    Args:
        a: (t, k).
        b: (n, k).

    Returns:
        (t, n), C-ordered: dgemm computes b a^T in Fortran order, which is
        a b^T in C order.
    """
    return dgemm(1.0, b, a, trans_b=True).T


def _add_cross(cross_t: np.ndarray, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return cross_t + z^T y, updating the Fortran-ordered `cross_t` in place.

    As in `_add_gram`, z.T is a Fortran-ordered view of the C-ordered z, so
    BLAS reads z where it is (asking for y^T z instead would copy z).

    Args:
        cross_t: (F, D_out) Fortran-ordered float64 (as for `_add_gram`), the
            running sum of z(n) y(n)^T.
        z: (t, F) C-ordered features.
        y: (t, D_out) targets.

    Returns:
        the updated (F, D_out) matrix, sharing memory with `cross_t`.
    """
    return dgemm(1.0, z.T, y, beta=1.0, c=cross_t, overwrite_c=True)


def _add_gram(gram: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Return gram + z^T z, updating the upper triangle of `gram` in place.

    BLAS's symmetric rank-k update (dsyrk) does half the multiply-adds of a
    general product and, given a Fortran-ordered float64 `gram`, writes
    straight into it with no (F, F) temporary: that temporary (8 F^2 bytes)
    would double the memory of a large fit (docs/benchmarks.md, choices_nets). z.T is a Fortran-ordered
    view of z, so nothing is copied either; dsyrk with trans=0 computes
    a a^T for a = z.T.

    Args:
        gram: (F, F) Fortran-ordered float64 (anything else is copied by the
            wrapper, and only the returned matrix holds the sum); its lower
            triangle is left stale.
        z: (t, F) C-ordered.

    Returns:
        the updated (F, F) matrix, sharing memory with `gram`.
    """
    return dsyrk(1.0, z.T, beta=1.0, c=gram, trans=0, overwrite_c=True)
