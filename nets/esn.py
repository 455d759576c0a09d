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

Four files: ``nets/reservoir.py`` (W, the state update, harvesting the states),
``nets/readout.py`` (``solve_ridge``, the normal equations' sums, ``nrmse``), this
one (the model, ``ESN``) and ``nets/training.py`` (``fit_readout_by_gradient_descent``);
all their names import from here too.

Shapes: sequences are time-major, X of shape (T, input_size), Y of shape
(T, output_size). The seed stacks states as columns (H is features x T); here
a state is a row, so the seed's H is `features.T` in the code.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from minigrad.nn.modules import uniform_init
from minigrad.random import check_seed

from ._checks import (ArrayOrSequences, as_sequence, as_sequence_list, check_count, check_flags, check_range,
                      check_same_length, check_state_vector)
from .readout import _add_cross, _add_gram, check_training_data, empty_normal_equations, nrmse, solve_ridge
from .reservoir import (DENSE_EIGENVALUE_LIMIT, DRIVE_BLOCK, feature_chunks, leaky_update, random_reservoir,
                        spectral_radius, states_in)
from .training import fit_readout_by_gradient_descent

__all__ = ["ESN", "DEFAULT_CHUNK_SIZE", "DENSE_EIGENVALUE_LIMIT", "DRIVE_BLOCK", "spectral_radius",
           "random_reservoir", "nrmse", "solve_ridge", "fit_readout_by_gradient_descent"]

# Steps of states held in memory at once while fitting: memory stays
# O(chunk_size * N + N^2) whatever the length of the data, and each chunk
# feeds one BLAS call.
DEFAULT_CHUNK_SIZE = 2000


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

    def _feature_chunks(
        self,
        inputs: np.ndarray,
        teacher: np.ndarray | None,
        initial_state: np.ndarray,
        chunk_size: int,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """``reservoir.feature_chunks`` with this ESN's reservoir: (start, z) chunk by chunk."""
        return feature_chunks(self.W, self.W_in, self.W_fb, self.leak_rate, inputs, teacher, initial_state,
                              chunk_size, self.include_input)

    def _states_in(self, z: np.ndarray) -> np.ndarray:
        """The h(n) columns of z(n) = [1; h(n); x(n)]: a view of shape (t, N)."""
        return states_in(z, self.reservoir_size)

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
        inputs = as_sequence(who, "X", X, self.input_size, "input_size")
        teacher = self._check_teacher(who, teacher, inputs.shape[0])
        if initial_state is None:
            initial_state = np.zeros(self.reservoir_size)
        initial_state = check_state_vector(who, "initial_state", initial_state, self.reservoir_size)
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
        teacher = as_sequence(who, "teacher", teacher, self.output_size, "output_size")
        check_same_length(who, "X", steps, "teacher", teacher.shape[0])
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
        inputs = as_sequence_list(who, "X", X, self.input_size, "input_size")
        targets = as_sequence_list(who, "Y", Y, self.output_size, "output_size")
        check_training_data(who, inputs, targets, washout, chunk_size)

        gram, cross_t = empty_normal_equations(self.n_features, self.output_size)
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
        inputs = as_sequence("ESN.predict", "X", X, self.input_size, "input_size")
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
            series = as_sequence("ESN.generate", "warmup", warmup, self.output_size, "output_size")
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
            self._state = leaky_update(self.W, self.leak_rate, self._state, drive)
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
