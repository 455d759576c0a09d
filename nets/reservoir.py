"""The ESN's reservoir: a sparse random W at a chosen spectral radius, and its state harvesting.

Seed 000, "Reservoir properties" (size, sparsity, spectral radius rho) and "Reservoir computing -
overall recipe", step 2: drive the reservoir with the inputs and collect its states.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

from ._checks import check_count, check_range
from .readout import _times_transpose

# Up to this size the spectral radius comes from all eigenvalues of the dense
# matrix (exact, O(N^3)); above it, from ARPACK's sparse iterative solver,
# which only needs matrix-vector products.
DENSE_EIGENVALUE_LIMIT = 1000

# Steps whose input drive W_in [1; x(n)] is computed by one matrix product:
# a (DRIVE_BLOCK, N) array, small beside the (chunk_size, N) states.
DRIVE_BLOCK = 64


def spectral_radius(matrix: scipy.sparse.sparray | np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix.

    Args:
        matrix: (N, N) dense or scipy sparse matrix.

    Returns:
        max |lambda_i| as a float. Exact (all eigenvalues of the dense matrix)
        for N <= DENSE_EIGENVALUE_LIMIT; above that, ARPACK's implicitly
        restarted Arnoldi iteration for the ten eigenvalues of largest
        magnitude, to a relative tolerance of 1e-10.
    """
    if len(matrix.shape) != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"spectral_radius: the matrix must be square, got shape {matrix.shape}")
    size = matrix.shape[0]
    if size <= DENSE_EIGENVALUE_LIMIT:
        dense = matrix.toarray() if scipy.sparse.issparse(matrix) else np.asarray(matrix)
        return float(np.max(np.abs(np.linalg.eigvals(dense))))
    # By the circular law, the eigenvalues of a random matrix crowd near the
    # edge of a disc, so the largest is barely separated from the next ones.
    # Asked for that one alone, with ARPACK's default Krylov space, eigs
    # sometimes converges to an eigenvalue short of it; asking for the 10
    # largest with a 60-vector space matches the dense answer (the figures:
    # docs/benchmarks.md, choices_nets).
    # A fixed start vector makes the result reproducible (ARPACK otherwise
    # starts from a random one). A relative tolerance of 1e-10 is far inside
    # the 1e-6 the radius is promised to; machine precision (tol=0) takes
    # longer for large N (docs/benchmarks.md, choices_nets).
    largest = scipy.sparse.linalg.eigs(
        matrix, k=10, which="LM", ncv=60, v0=np.ones(size), tol=1e-10, return_eigenvectors=False
    )
    return float(np.max(np.abs(largest)))


def random_reservoir(
    size: int, connectivity: float, radius: float, rng: np.random.Generator
) -> scipy.sparse.csr_array:
    """Sparse random recurrent matrix W scaled to a given spectral radius.

    Seed 000, "Reservoir properties": sparse, with uniformly distributed
    non-zeros. Every unit receives the same number of incoming links,
    round(connectivity * size) but at least one ("fixed number of inputs to
    each node", slide "Reservoir computing"), from units chosen uniformly
    without repetition; the weights are uniform on [-1, 1] before scaling.

    Args:
        size: N, the number of reservoir units.
        connectivity: fraction of non-zero entries per row, in (0, 1].
        radius: the spectral radius rho the returned matrix has.
        rng: source of randomness.

    Returns:
        (N, N) CSR matrix; row i holds the weights into unit i.
    """
    check_count("random_reservoir", "size", size, minimum=1)
    check_range("random_reservoir", "connectivity", connectivity, 0.0, 1.0, low_open=True)
    check_range("random_reservoir", "radius", radius, 0.0, np.inf)
    links = max(1, round(connectivity * size))
    try:
        rows = np.repeat(np.arange(size), links)
    except (MemoryError, ValueError) as error:     # numpy: "Maximum allowed size exceeded"
        raise MemoryError(f"random_reservoir: {size} units with {links} links each cannot be "
                          f"allocated ({error})") from None
    columns = np.concatenate(
        [rng.choice(size, size=links, replace=False) for _ in range(size)]
    )
    weights = rng.uniform(-1.0, 1.0, size=size * links)
    matrix = scipy.sparse.csr_array((weights, (rows, columns)), shape=(size, size))
    if radius == 0.0:
        return matrix * 0.0
    current = spectral_radius(matrix)
    if current < 1e-12:
        raise ValueError(
            f"random_reservoir: the random {size}x{size} matrix with {links} link(s) per "
            f"unit has spectral radius {current:.3g}, so it cannot be scaled to {radius}; "
            "use a larger connectivity or another seed"
        )
    return matrix * (radius / current)



# ------------------------------------------------------------ the dynamics

def leaky_update(W: scipy.sparse.csr_array, leak_rate: float, state: np.ndarray, drive: np.ndarray) -> np.ndarray:
    """One reservoir step (seed 000, "Echo state network").

    Args:
        W: (N, N) the reservoir's recurrent weights.
        leak_rate: alpha in (0, 1].
        state: h(n-1), shape (N,).
        drive: W_in [1; x(n)] + W_fb y(n-1), shape (N,).

    Returns:
        h(n) = (1 - alpha) h(n-1) + alpha tanh(drive + W h(n-1)), shape (N,).
    """
    candidate = np.tanh(drive + W @ state)
    # (1 - alpha) h + alpha h~ written as h + alpha (h~ - h): equal up to rounding.
    return state + leak_rate * (candidate - state)


def input_drive(W_in: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """W_in [1; x(n)] for a block of steps at once.

    The inputs are known in advance, so one matrix product serves all
    steps instead of one matrix-vector product per step.

    Args:
        W_in: (N, 1 + input_size); column 0 multiplies the constant 1.
        inputs: (t, input_size).

    Returns:
        (t, N).
    """
    drive = _times_transpose(inputs, W_in[:, 1:])
    drive += W_in[:, 0]
    return drive


def feature_chunks(
    W: scipy.sparse.csr_array,
    W_in: np.ndarray,
    W_fb: np.ndarray | None,
    leak_rate: float,
    inputs: np.ndarray,
    teacher: np.ndarray | None,
    initial_state: np.ndarray,
    chunk_size: int,
    include_input: bool,
) -> Iterator[tuple[int, np.ndarray]]:
    """Drive the reservoir with known inputs, yielding z(n) chunk by chunk.

    With output feedback, the fed-back y(n-1) is the teacher's target
    (teacher forcing, seed 000 "Echo state network": y(n) = y_target(n)),
    known in advance like the input, so it joins the input drive. Before
    the first step y(-1) = 0, matching a reset state.

    The states are written straight into the columns of z that hold them,
    so the design matrix of a chunk is built without copying the states.
    Each z is overwritten by the next chunk: copy what must outlive it.

    Args:
        W: (N, N) the recurrent weights.
        W_in: (N, 1 + input_size) the input weights, column 0 for the bias.
        W_fb: (N, output_size) the feedback weights, or None without feedback.
        leak_rate: alpha in (0, 1].
        inputs: (T, input_size).
        teacher: (T, output_size) targets for teacher forcing, or None
            without feedback.
        initial_state: h(-1), shape (N,).
        chunk_size: steps per yielded chunk.
        include_input: whether z(n) ends with x(n).

    Yields:
        (start, z): z of shape (t, n_features), rows z(n) = [1; h(n); x(n)]
        for n = start ... start + t - 1; `states_in(z, N)` is h(n).
    """
    steps, N = inputs.shape[0], W.shape[0]
    fed_back = None
    if teacher is not None:
        fed_back = np.vstack([np.zeros((1, teacher.shape[1])), teacher[:-1]])
    # One buffer serves every chunk (the caller is done with a chunk
    # before it asks for the next), so a fit touches its memory once.
    buffer = np.empty((min(chunk_size, steps), 1 + N + (inputs.shape[1] if include_input else 0)))
    buffer[:, 0] = 1.0
    state = initial_state
    for start in range(0, steps, chunk_size):
        stop = min(start + chunk_size, steps)
        z = buffer[: stop - start]
        if include_input:
            z[:, 1 + N :] = inputs[start:stop]
        states = states_in(z, N)
        # The drive of DRIVE_BLOCK steps at a time: one matrix product,
        # and a (DRIVE_BLOCK, N) array rather than a (chunk_size, N) one.
        for block in range(start, stop, DRIVE_BLOCK):
            block_stop = min(block + DRIVE_BLOCK, stop)
            drive = input_drive(W_in, inputs[block:block_stop])
            if fed_back is not None:
                drive += _times_transpose(fed_back[block:block_stop], W_fb)
            for step in range(block_stop - block):
                state = leaky_update(W, leak_rate, state, drive[step])
                states[block - start + step] = state
        yield start, z


def states_in(z: np.ndarray, N: int) -> np.ndarray:
    """The h(n) columns of z(n) = [1; h(n); x(n)]: a view of shape (t, N)."""
    return z[:, 1 : 1 + N]
