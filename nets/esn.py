"""Echo state networks: a fixed random reservoir and a readout solved in closed form.

Reservoir computing is the other answer, next to backpropagation through time,
to the difficulty of training recurrent weights: keep a large, sparse, random
recurrent layer (the *reservoir*) fixed and train only a linear readout, in one
shot, by ridge regression. Everything below follows the lecture notes in
`000_77918607210de3c5.txt` in the project's seeds (KTH DD2437, Lecture 7), cited
here as "seed 000" with the slide title:

* "Echo state network": the state update with leaky units and output feedback

      h~(n) = tanh(W_in [1; x(n)] + W h(n-1) + W_fb y(n-1))
      h(n)  = (1 - alpha) h(n-1) + alpha h~(n)
      y(n)  = W_out [1; h(n); x(n)]

  and teacher forcing, y(n-1) = y_target(n-1) while training.
* "Reservoir properties": size (up to ~10k units), sparsity with uniformly
  distributed non-zeros, spectral radius rho.
* "Training readouts": W_out = Y_target H^T (H H^T + beta I)^-1.
* "Reservoir computing - overall recipe": generate (W_in, W), drive the
  reservoir and collect states, solve the linear readout, predict.

Shapes: sequences are time-major, X of shape (T, input_size), Y of shape
(T, output_size). The seed stacks states as columns (H is features x T); here
a state is a row, so the seed's H is `features.T` in the code.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg
from scipy.linalg.blas import dgemm, dsyrk

import minigrad
import minigrad.nn
import minigrad.optim
from minigrad.nn.modules import uniform_init
from minigrad.random import check_seed

from ._checks import as_real_array, check_count, check_flags, check_range

# Up to this size the spectral radius comes from all eigenvalues of the dense
# matrix (exact, O(N^3)); above it, from ARPACK's sparse iterative solver,
# which only needs matrix-vector products.
DENSE_EIGENVALUE_LIMIT = 1000

# Steps of states held in memory at once while fitting: memory stays
# O(chunk_size * N + N^2) whatever the length of the data, and each chunk
# feeds one BLAS call.
DEFAULT_CHUNK_SIZE = 2000

# Steps whose input drive W_in [1; x(n)] is computed by one matrix product:
# a (DRIVE_BLOCK, N) array, 1 MB at N = 2,000.
DRIVE_BLOCK = 64

ArrayOrSequences = np.ndarray | Sequence[np.ndarray]


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
    # sometimes converges to an eigenvalue 1% short of it (seen against dense
    # eigenvalues for N = 1,200 to 2,500); asking for the 10 largest with a
    # 60-vector space has matched the dense answer to 1e-13 in every trial.
    # A fixed start vector makes the result reproducible (ARPACK otherwise
    # starts from a random one). A relative tolerance of 1e-10 is far inside
    # the 1e-6 the radius is promised to; machine precision (tol=0) took up
    # to 20 s for N = 10,000 against a few seconds.
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


def solve_ridge(gram: np.ndarray, cross: np.ndarray, ridge: float) -> np.ndarray:
    """Solve the regularised normal equations for the readout.

    Seed 000, "Training readouts": W_out = Y H^T (H H^T + beta I)^-1. Never
    form the inverse: W_out (H H^T + beta I) = Y H^T is, transposed, the
    symmetric positive definite system (H H^T + beta I) W_out^T = H Y^T,
    solved by a Cholesky factorisation and two triangular solves.

    Args:
        gram: (F, F) H H^T, the sum of z(n) z(n)^T over the training steps.
            Only its upper triangle is read (the one `_add_gram` fills), and
            it is overwritten by the factorisation: for N = 10,000 a copy
            would cost another 800 MB.
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


class ESN:
    """Echo state network (seed 000, "Echo state network").

    State update, with alpha the leak rate and y(n-1) the previous output
    (only when `feedback=True`):

        h~(n) = tanh(W_in [1; x(n)] + W h(n-1) + W_fb y(n-1))
        h(n)  = (1 - alpha) h(n-1) + alpha h~(n)
        y(n)  = W_out z(n),   z(n) = [1; h(n); x(n)]   ([1; h(n)] without input)

    Only W_out is trained, by ridge regression on the states collected while
    the reservoir is driven by the training inputs.

    Attributes:
        W_in: (N, 1 + input_size); column 0 multiplies the constant 1 (bias).
        W: (N, N) scipy CSR matrix with spectral radius `spectral_radius`.
        W_fb: (N, output_size), or None without feedback.
        W_out: (output_size, n_features), None before `fit`.
        n_features: F = 1 + N (+ input_size with `include_input`).

    Defaults, and why (a safe start, not a per-task optimum; docs/esn.md
    gives tuned Mackey-Glass set-ups):
        spectral_radius=0.95: just under 1, the seed's "near the edge of
            stability": long memory while the echo state property holds.
        leak_rate=0.3: slows the units so the reservoir follows a signal that
            varies over tens of steps rather than every step.
        connectivity=0.1: inside the seed's 2-20%; a step costs
            connectivity * N^2 multiply-adds, so lower it (to ~10 links per
            unit) for reservoirs of thousands of units.
        input_scaling=1.0, bias_scaling=0.2: inputs of order one drive the
            tanh units in their non-linear range without saturating them
            ("input scaling", slide "Reservoir computing").
        ridge=1e-6: regularises the nearly collinear states of a large
            reservoir; precise fits go lower (1e-8 on Mackey-Glass).
        feedback_scaling=1.0: output feedback as strong as the input.
    """

    def __init__(
        self,
        input_size: int,
        reservoir_size: int,
        output_size: int,
        spectral_radius: float = 0.95,
        leak_rate: float = 0.3,
        connectivity: float = 0.1,
        input_scaling: float = 1.0,
        bias_scaling: float = 0.2,
        ridge: float = 1e-6,
        feedback: bool = False,
        feedback_scaling: float = 1.0,
        include_input: bool = True,
        seed: int | None = None,
    ) -> None:
        """Generate the fixed weights W, W_in and W_fb (seed 000 recipe, step 1).

        Args:
            input_size: D_in >= 0 (0 for a purely feedback-driven generator).
            reservoir_size: N >= 1.
            output_size: D_out >= 1.
            spectral_radius: rho >= 0 of W.
            leak_rate: alpha in (0, 1]; 1 gives the plain (non-leaky) ESN.
            connectivity: fraction in (0, 1] of non-zero weights per row of W.
            input_scaling: W_in's input columns are uniform on [-s, s].
            bias_scaling: W_in's bias column is uniform on [-s, s].
            ridge: beta >= 0 of the readout's ridge regression.
            feedback: add W_fb y(n-1) to the reservoir's input.
            feedback_scaling: W_fb is uniform on [-s, s].
            include_input: feed x(n) to the readout, z(n) = [1; h(n); x(n)].
            seed: makes W, W_in and W_fb reproducible.
        """
        check_count("ESN", "input_size", input_size, minimum=0)
        check_count("ESN", "reservoir_size", reservoir_size, minimum=1)
        check_count("ESN", "output_size", output_size, minimum=1)
        check_range("ESN", "spectral_radius", spectral_radius, 0.0, np.inf)
        check_range("ESN", "leak_rate", leak_rate, 0.0, 1.0, low_open=True)
        check_range("ESN", "connectivity", connectivity, 0.0, 1.0, low_open=True)
        check_range("ESN", "input_scaling", input_scaling, 0.0, np.inf)
        check_range("ESN", "bias_scaling", bias_scaling, 0.0, np.inf)
        check_range("ESN", "ridge", ridge, 0.0, np.inf)
        check_range("ESN", "feedback_scaling", feedback_scaling, 0.0, np.inf)
        check_flags("ESN", feedback=feedback, include_input=include_input)

        self.input_size = input_size
        self.reservoir_size = reservoir_size
        self.output_size = output_size
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.ridge = ridge
        self.feedback = feedback
        self.include_input = include_input

        if seed is not None and not isinstance(seed, np.random.Generator):
            check_seed("ESN", "seed", seed)
        rng = np.random.default_rng(seed)
        self.W = random_reservoir(reservoir_size, connectivity, spectral_radius, rng)
        # Column 0 of W_in multiplies the bias 1, the others the input x(n).
        self.W_in = uniform_init((reservoir_size, 1 + input_size), 1.0, rng, "ESN")
        self.W_in[:, 0] *= bias_scaling
        self.W_in[:, 1:] *= input_scaling
        self.W_fb = None
        if feedback:
            self.W_fb = uniform_init((reservoir_size, output_size), 1.0, rng, "ESN")
            self.W_fb *= feedback_scaling
        self.W_out: np.ndarray | None = None

        self.n_features = 1 + reservoir_size + (input_size if include_input else 0)
        try:
            self.reset()
        except ValueError as error:     # numpy: "array is too big" for the output y(n)
            raise MemoryError(f"ESN: an output of output_size={output_size} numbers cannot be "
                              f"allocated ({error})") from None

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> np.ndarray:
        """h(n), shape (N,): the reservoir state the next step starts from."""
        return self._state.copy()

    @property
    def last_output(self) -> np.ndarray:
        """y(n), shape (output_size,): the output the next step feeds back."""
        return self._last_output.copy()

    def reset(self) -> None:
        """Set the state h and the fed-back output y to zero."""
        self._state = np.zeros(self.reservoir_size)
        self._last_output = np.zeros(self.output_size)
        # Whether _last_output is the readout's prediction, which input-driven
        # generation starts from; the zero above is not one.
        self._output_is_prediction = False

    # ----------------------------------------------------------- the dynamics

    def _leaky_update(self, state: np.ndarray, drive: np.ndarray) -> np.ndarray:
        """One reservoir step (seed 000, "Echo state network").

        Args:
            state: h(n-1), shape (N,).
            drive: W_in [1; x(n)] + W_fb y(n-1), shape (N,).

        Returns:
            h(n) = (1 - alpha) h(n-1) + alpha tanh(drive + W h(n-1)), shape (N,).
        """
        candidate = np.tanh(drive + self.W @ state)
        # (1 - alpha) h + alpha h~ written as h + alpha (h~ - h): equal up to rounding.
        return state + self.leak_rate * (candidate - state)

    def _input_drive(self, inputs: np.ndarray) -> np.ndarray:
        """W_in [1; x(n)] for a block of steps at once.

        The inputs are known in advance, so one matrix product serves all
        steps instead of one matrix-vector product per step.

        Args:
            inputs: (t, input_size).

        Returns:
            (t, N).
        """
        drive = _times_transpose(inputs, self.W_in[:, 1:])
        drive += self.W_in[:, 0]
        return drive

    def _feature_chunks(
        self,
        inputs: np.ndarray,
        teacher: np.ndarray | None,
        initial_state: np.ndarray,
        chunk_size: int,
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
            inputs: (T, input_size).
            teacher: (T, output_size) targets for teacher forcing, or None
                without feedback.
            initial_state: h(-1), shape (N,).
            chunk_size: steps per yielded chunk.

        Yields:
            (start, z): z of shape (t, n_features), rows z(n) = [1; h(n); x(n)]
            for n = start ... start + t - 1; `self._states_in(z)` is h(n).
        """
        steps = inputs.shape[0]
        fed_back = None
        if teacher is not None:
            fed_back = np.vstack([np.zeros((1, self.output_size)), teacher[:-1]])
        # One buffer serves every chunk (the caller is done with a chunk
        # before it asks for the next), so a fit touches its memory once.
        buffer = np.empty((min(chunk_size, steps), self.n_features))
        buffer[:, 0] = 1.0
        state = initial_state
        for start in range(0, steps, chunk_size):
            stop = min(start + chunk_size, steps)
            z = buffer[: stop - start]
            if self.include_input:
                z[:, 1 + self.reservoir_size :] = inputs[start:stop]
            states = self._states_in(z)
            # The drive of DRIVE_BLOCK steps at a time: one matrix product,
            # and a (DRIVE_BLOCK, N) array rather than a (chunk_size, N) one.
            for block in range(start, stop, DRIVE_BLOCK):
                block_stop = min(block + DRIVE_BLOCK, stop)
                drive = self._input_drive(inputs[block:block_stop])
                if fed_back is not None:
                    drive += _times_transpose(fed_back[block:block_stop], self.W_fb)
                for step in range(block_stop - block):
                    state = self._leaky_update(state, drive[step])
                    states[block - start + step] = state
            yield start, z

    def _states_in(self, z: np.ndarray) -> np.ndarray:
        """The h(n) columns of z(n) = [1; h(n); x(n)]: a view of shape (t, N)."""
        return z[:, 1 : 1 + self.reservoir_size]

    def features(self, states: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """The readout's input z(n) = [1; h(n); x(n)] for every step.

        Args:
            states: (T, N).
            inputs: (T, input_size); ignored without `include_input`.

        Returns:
            (T, n_features).
        """
        columns = [np.ones((states.shape[0], 1)), states]
        if self.include_input:
            columns.append(inputs)
        return np.hstack(columns)

    def collect_states(
        self,
        X: np.ndarray,
        teacher: np.ndarray | None = None,
        initial_state: np.ndarray | None = None,
    ) -> np.ndarray:
        """Drive the reservoir with X and return every state (recipe, step 2).

        Does not change the ESN's own state; meant for inspecting the
        reservoir (and for fitting a readout some other way).

        Args:
            X: (T, input_size) inputs.
            teacher: (T, output_size) targets fed back by teacher forcing;
                required with `feedback=True`, refused without.
            initial_state: h(-1), shape (N,); zeros by default.

        Returns:
            (T, N): h(0) ... h(T-1).
        """
        who = "ESN.collect_states"
        inputs = _as_sequence(who, "X", X, self.input_size, "input_size")
        teacher = self._check_teacher(who, teacher, inputs.shape[0])
        if initial_state is None:
            initial_state = np.zeros(self.reservoir_size)
        initial_state = as_real_array(who, "initial_state", initial_state)
        if initial_state.shape != (self.reservoir_size,):
            raise ValueError(
                f"{who}: initial_state must have shape ({self.reservoir_size},), "
                f"got {initial_state.shape}"
            )
        if not np.isfinite(initial_state).all():
            raise ValueError(f"{who}: initial_state contains NaN or Inf")
        chunks = self._feature_chunks(inputs, teacher, initial_state, DEFAULT_CHUNK_SIZE)
        return np.vstack([self._states_in(z).copy() for _, z in chunks])

    def _check_teacher(self, who: str, teacher: np.ndarray | None, steps: int) -> np.ndarray | None:
        """Validate the teacher-forcing targets against the feedback setting."""
        if not self.feedback:
            if teacher is not None:
                raise ValueError(f"{who}: teacher is only used with feedback=True; this ESN has no W_fb")
            return None
        if teacher is None:
            raise ValueError(
                f"{who}: this ESN has output feedback: pass the teacher targets (T, output_size)"
            )
        teacher = _as_sequence(who, "teacher", teacher, self.output_size, "output_size")
        _check_same_length(who, "X", steps, "teacher", teacher.shape[0])
        return teacher

    # ----------------------------------------------------------------- fitting

    def fit(
        self,
        X: ArrayOrSequences,
        Y: ArrayOrSequences,
        washout: int = 0,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> ESN:
        """Solve the readout W_out in closed form (recipe, steps 2 and 3).

        Each sequence is run from a reset state; its first `washout` states
        are dropped (the initial transient, seed 000 "Training readouts").
        The remaining z(n) = [1; h(n); x(n)] and targets y(n) are accumulated,
        `chunk_size` steps at a time, into H H^T = sum z z^T and
        Y H^T = sum y z^T, so memory does not grow with T; then
        (H H^T + beta I) W_out^T = H Y^T is solved (`solve_ridge`).
        With `feedback=True` the targets are fed back (teacher forcing).

        Args:
            X: (T, input_size) inputs, or a list of such sequences.
            Y: (T, output_size) targets, or a list matching X.
            washout: states dropped at the start of every sequence.
            chunk_size: steps accumulated per BLAS call.

        Returns:
            self, with W_out set, the state at the end of the last sequence,
            and `last_output` its output (its target with teacher forcing).
        """
        who = "ESN.fit"
        inputs = _as_sequence_list(who, "X", X, self.input_size, "input_size")
        targets = _as_sequence_list(who, "Y", Y, self.output_size, "output_size")
        if len(inputs) != len(targets):
            raise ValueError(
                f"{who}: X and Y must hold the same number of sequences, "
                f"got {len(inputs)} and {len(targets)}"
            )
        check_count(who, "washout", washout, minimum=0)
        check_count(who, "chunk_size", chunk_size, minimum=1)
        for index, (x_seq, y_seq) in enumerate(zip(inputs, targets)):
            label = "" if len(inputs) == 1 else f" in sequence {index}"
            _check_same_length(who, f"X{label}", x_seq.shape[0], f"Y{label}", y_seq.shape[0])
            if washout >= x_seq.shape[0]:
                raise ValueError(
                    f"{who}: washout={washout} leaves no training step{label}: "
                    f"it has only {x_seq.shape[0]} steps"
                )

        # Fortran order lets BLAS update the Gram matrix in place (dsyrk below).
        gram = np.zeros((self.n_features, self.n_features), order="F")
        # H Y^T rather than Y H^T: z.T is then a Fortran-ordered view for BLAS.
        cross_t = np.zeros((self.n_features, self.output_size), order="F")
        for x_seq, y_seq in zip(inputs, targets):
            teacher = y_seq if self.feedback else None
            state = np.zeros(self.reservoir_size)
            for start, z in self._feature_chunks(x_seq, teacher, state, chunk_size):
                stop = start + z.shape[0]
                first_kept = max(washout - start, 0)
                if first_kept < z.shape[0]:
                    gram = _add_gram(gram, z[first_kept:])
                    cross_t = _add_cross(cross_t, z[first_kept:], y_seq[start + first_kept : stop])
                    last_z = z[-1].copy()
                state = self._states_in(z)[-1].copy()

        self.W_out = solve_ridge(gram, cross_t.T, self.ridge)
        self._state = state
        if self.feedback:
            self._last_output = targets[-1][-1].copy()
        else:
            self._last_output = self.W_out @ last_z
            self._output_is_prediction = True
        return self

    # -------------------------------------------------------------- prediction

    def predict(self, X: np.ndarray, reset: bool = False) -> np.ndarray:
        """Outputs y(n) for inputs X (recipe, step 4).

        Continues from the current state (after `fit`, the end of the
        training data), or from zero with `reset=True`. With feedback the
        ESN's own outputs are fed back, since no target is known.

        Args:
            X: (T, input_size).
            reset: start from the zero state instead of the current one.

        Returns:
            (T, output_size).
        """
        self._require_fitted("predict")
        check_flags("ESN.predict", reset=reset)
        inputs = _as_sequence("ESN.predict", "X", X, self.input_size, "input_size")
        if reset:
            self.reset()
        if self.feedback:
            return self._run_closed_loop(inputs.shape[0], inputs)

        outputs = np.empty((inputs.shape[0], self.output_size))
        for start, z in self._feature_chunks(inputs, None, self._state, DEFAULT_CHUNK_SIZE):
            outputs[start : start + z.shape[0]] = z @ self.W_out.T
            self._state = self._states_in(z)[-1].copy()
        self._last_output = outputs[-1].copy()
        self._output_is_prediction = True
        return outputs

    def generate(self, n_steps: int, warmup: np.ndarray | None = None) -> np.ndarray:
        """Autonomous pattern generation: outputs fed back as the next drive.

        Seed 000, "Reservoir computing": output feedback "if autonomous
        pattern generation needed". Two set-ups are generative:

        * `feedback=True, input_size=0` (Jaeger's): y(n-1) enters through W_fb;
          the warmup is the series itself, fed back by teacher forcing.
        * `feedback=False, input_size == output_size`, trained to predict the
          next input: y(n) is fed back as x(n+1); the warmup is the input
          series.

        Either way, with warmup = the series s(0) ... s(T-1), the result is the
        prediction of s(T) ... s(T + n_steps - 1). Without warmup, generation
        continues after the last output (`last_output`): the first value is
        the one that follows it, so generate(3) then generate(3) gives what
        generate(6) gives. The input-driven set-up needs a last output to feed
        back (after `fit`, `predict` or `generate`; not straight after `reset`).

        Args:
            n_steps: number of outputs to generate, >= 1.
            warmup: (T, output_size) true values to synchronise the reservoir
                with, starting from a reset state; None continues as is.

        Returns:
            (n_steps, output_size).
        """
        self._require_fitted("generate")
        check_count("ESN.generate", "n_steps", n_steps, minimum=1)
        autonomous_feedback = self.feedback and self.input_size == 0
        autonomous_input = not self.feedback and self.input_size == self.output_size
        if not (autonomous_feedback or autonomous_input):
            raise ValueError(
                "ESN.generate() needs an ESN with feedback=True and input_size=0, or with "
                f"feedback=False and input_size == output_size; this one has "
                f"feedback={self.feedback}, input_size={self.input_size}, "
                f"output_size={self.output_size}"
            )
        if warmup is not None:
            series = _as_sequence("ESN.generate", "warmup", warmup, self.output_size, "output_size")
            self.reset()
            if autonomous_feedback:
                # Teacher forcing through the series; the next step feeds back s(T-1).
                no_input = np.zeros((series.shape[0], 0))
                self._state = self.collect_states(no_input, teacher=series)[-1]
                self._last_output = series[-1].copy()
            else:
                # predict's last output is already the prediction of s(T).
                first = self.predict(series)[-1]
                return np.vstack([first, self._run_closed_loop(n_steps - 1, None)])
        if autonomous_feedback:
            return self._run_closed_loop(n_steps, np.zeros((n_steps, 0)))
        if not self._output_is_prediction:
            raise ValueError(
                "ESN.generate() without warmup continues after the last output, and there is "
                "none since the ESN was created or reset(): pass warmup=<the series so far> "
                "or call predict() first"
            )
        return self._run_closed_loop(n_steps, None)

    def _run_closed_loop(self, n_steps: int, inputs: np.ndarray | None) -> np.ndarray:
        """Step by step, feeding each output back into the next step.

        The output is fed back through W_fb (with feedback), and as the next
        input when `inputs` is None (input-driven generation). This is the
        only loop that needs y(n) inside the step, so it computes the readout
        per step rather than after the whole run.

        Args:
            n_steps: number of steps.
            inputs: (n_steps, input_size) external inputs, or None to use the
                previous output as the input.

        Returns:
            (n_steps, output_size) outputs y(n).
        """
        # One step at a time, so the blocks of W_in [1; x] and W_out [1; h; x]
        # are applied one by one rather than by building [1; x] and z(n) anew.
        N = self.reservoir_size
        in_bias, in_weight = self.W_in[:, 0], self.W_in[:, 1:]
        out_bias, out_state, out_input = self.W_out[:, 0], self.W_out[:, 1 : 1 + N], self.W_out[:, 1 + N :]
        outputs = np.empty((n_steps, self.output_size))
        for step in range(n_steps):
            x = self._last_output if inputs is None else inputs[step]
            drive = in_bias + in_weight @ x
            if self.feedback:
                drive += self.W_fb @ self._last_output
            self._state = self._leaky_update(self._state, drive)
            y = out_bias + out_state @ self._state
            if self.include_input:
                y += out_input @ x
            self._last_output = y
            outputs[step] = y
        self._output_is_prediction = True
        return outputs

    def _require_fitted(self, method: str) -> None:
        if self.W_out is None:
            raise RuntimeError(f"ESN.{method}() called before fit(): W_out is not set yet")


# ------------------------------------------- the same readout, by gradient descent


def fit_readout_by_gradient_descent(
    features: np.ndarray,
    targets: np.ndarray,
    ridge: float,
    steps: int = 3000,
    learning_rate: float | None = None,
    seed: int | None = 0,
) -> np.ndarray:
    """Train the ESN readout as a `minigrad.nn.Linear` layer by gradient descent.

    This is the readout of `ESN.fit`, reached the way every other net in this
    project is trained: a Linear layer over the collected reservoir states,
    mean-squared error, weight decay, full-batch gradient descent (SGD on the
    whole data set at every step). It converges to the closed form; the test
    suite checks that it does.

    Why the weight decay must be 2 beta / (T D): the closed form minimises
    ||Y - W Z||^2 + beta ||W||^2 (seed 000, "Training readouts"). Here the
    loss is the *mean* squared error over the T * D target values, and SGD's
    weight decay lambda adds lambda W to the gradient. At the minimum

        (2 / (T D)) (W Z^T Z - Y^T Z) + lambda W = 0
        <=>  W (Z^T Z + (lambda T D / 2) I) = Y^T Z,

    the ridge solution with beta = lambda T D / 2, i.e. lambda = 2 beta / (T D).
    The decay also shrinks the Linear's bias, as beta I also penalises the
    bias weight in the closed form.

    Why the default learning rate is 1 / L: the loss is quadratic with
    Hessian (2 / (T D)) Z^T Z + lambda I, whose largest eigenvalue L bounds
    the step size (gradient descent diverges above 2 / L); at 1 / L the
    error shrinks by at least (1 - 1/kappa) per step, kappa the Hessian's
    condition number. Reservoir states are often nearly collinear (kappa of
    1e8 and more), so this converges in reasonable time only for a
    well-conditioned problem: a small reservoir or a large beta. That is the
    lesson: the closed form is exact in one shot; gradient descent gets there
    slowly, and only when the problem is well-conditioned.

    Args:
        features: (T, F - 1) the readout's inputs without the constant 1,
            [h(n); x(n)] per row (the Linear's bias plays the 1).
        targets: (T, D) the targets y(n).
        ridge: beta >= 0, in the closed form's units.
        steps: gradient descent steps.
        learning_rate: None for 1 / L.
        seed: initialises the Linear layer's weights.

    Returns:
        W_out of shape (D, F) in the ESN's layout: column 0 is the Linear's
        bias, the rest its weight.
    """
    who = "fit_readout_by_gradient_descent"
    features = _as_sequence(who, "features", features, width=None)
    targets = _as_sequence(who, "targets", targets, width=None)
    _check_same_length(who, "features", features.shape[0], "targets", targets.shape[0])
    check_range("fit_readout_by_gradient_descent", "ridge", ridge, 0.0, np.inf)
    check_count("fit_readout_by_gradient_descent", "steps", steps, minimum=1)
    steps_total, outputs = targets.shape
    weight_decay = 2.0 * ridge / (steps_total * outputs)

    if learning_rate is not None:
        check_range("fit_readout_by_gradient_descent", "learning_rate", learning_rate, 0.0, np.inf, low_open=True)
    else:
        z = np.hstack([np.ones((steps_total, 1)), features])
        curvature = np.linalg.eigvalsh(z.T @ z)[-1] * 2.0 / (steps_total * outputs)
        learning_rate = 1.0 / (curvature + weight_decay)

    readout = minigrad.nn.Linear(features.shape[1], outputs, rng=np.random.default_rng(seed))
    optimizer = minigrad.optim.SGD(
        readout.parameters(), lr=learning_rate, weight_decay=weight_decay
    )
    inputs = minigrad.Tensor(features)
    wanted = minigrad.Tensor(targets)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = minigrad.nn.functional.mse_loss(readout(inputs), wanted)
        loss.backward()
        optimizer.step()
    return np.hstack([readout.bias.data[:, None], readout.weight.data])


# ------------------------------------------------------------------- helpers
#
# Why the products in `fit` call scipy's BLAS by hand instead of using `@`:
# numpy and scipy each ship their own OpenBLAS, each with its own pool of
# threads, and a pool keeps its threads spinning for a while after a call.
# Alternating numpy's `@` with scipy's dsyrk, chunk after chunk, makes the two
# pools fight over the cores: on a 2-core machine the Gram updates took twice
# as long (0.5 s instead of 0.26 s at N = 1,000). One library, one pool.


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
    straight into it with no (F, F) temporary: that temporary would double
    the memory for N = 10,000 (an 800 MB matrix). z.T is a Fortran-ordered
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


def _check_same_length(who: str, name_a: str, length_a: int, name_b: str, length_b: int) -> None:
    if length_a != length_b:
        raise ValueError(
            f"{who}: {name_a} and {name_b} must have the same number of steps, "
            f"got {length_a} and {length_b}"
        )


def _as_sequence(
    who: str, name: str, data: np.ndarray, width: int | None, width_name: str = ""
) -> np.ndarray:
    """Check one (T, width) sequence and return it as a float64 array; errors name ``who``.

    `width=None` accepts any number of columns but none (for arrays whose
    width is not set by an ESN).
    """
    array = as_real_array(who, name, data)
    if array.ndim != 2:
        hint = " (reshape a 1-D series with .reshape(-1, 1))" if array.ndim == 1 else ""
        shape = f"(T, {'width' if width is None else width})"
        raise ValueError(f"{who}: {name} must be a 2-D array {shape}, got shape {array.shape}{hint}")
    if width is None and array.shape[1] == 0:
        raise ValueError(f"{who}: {name} has no columns, got shape {array.shape}")
    if width is not None and array.shape[1] != width:
        raise ValueError(
            f"{who}: {name} has {array.shape[1]} columns but the ESN has {width_name}={width}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{who}: {name} is empty: it needs at least one step")
    finite = np.isfinite(array)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        raise ValueError(
            f"{who}: {name} contains NaN or Inf "
            f"(first at step {row}, column {column}: {array[row, column]})"
        )
    return array


def _as_sequence_list(
    who: str, name: str, data: ArrayOrSequences, width: int, width_name: str
) -> list[np.ndarray]:
    """A (T, width) array becomes a one-element list; a list is checked item by item.

    A list counts as a list of sequences when its first item is 2-D; a nested
    list of numbers such as [[0.1], [0.2]] is one (T, width) sequence.
    """
    if isinstance(data, (list, tuple)) and (len(data) == 0 or np.ndim(data[0]) == 2):
        if len(data) == 0:
            raise ValueError(f"{who}: {name} is an empty list: it needs at least one sequence")
        return [
            _as_sequence(who, f"{name}[{index}]", item, width, width_name)
            for index, item in enumerate(data)
        ]
    return [_as_sequence(who, name, data, width, width_name)]
