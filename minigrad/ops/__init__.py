"""Every op of the engine: its forward and its vector-Jacobian product side by side.

The ops are split by family, one file each: ``arithmetic.py`` (+ - * / ** and ``unbroadcast``),
``elementwise.py`` (exp, log, powers, rounding), ``trigonometric.py``, ``comparison.py`` (==, <,
maximum, clip, where), ``reductions.py``, ``linalg.py`` (matmul, einsum), ``nn_ops.py`` (sigmoid,
relu, softmax, linear), ``indexing.py``, ``shape.py`` and ``join_split.py``; ``_checks.py`` holds
the argument handling they share. This package re-exports every op, so ``minigrad.ops.X`` works
for each of them.

Each op is a pair of functions, one under the other:

  ``op(inputs...)``: computes the output with numpy and returns
      ``make_result(output, inputs, "op", op_backward, saved)``, which records
      the op in the graph when an input requires grad (``saved``: whatever the
      backward needs besides the inputs and the output, e.g. the summed axes);
  ``op_backward(g, out)``: given g = dL/d(out), returns dL/d(input) for each
      input, in order: a vector-Jacobian product (VJP). ``out.parents`` are the
      inputs, ``out._data`` the output, ``out.saved`` what the forward saved.
      (Ops read ``_data``, the tensor's own array; ``data`` is the view handed
      to users, which counts their writes: see tensor.py.)

``Tensor.backward`` (tensor.py) calls the ``*_backward`` functions from the
output to the leaves. Inputs that need no gradient get ``None``, so no work is
spent on them (the input sequence of an RNN, for example).

One VJP serves both kinds of backward. A VJP reads the values it needs only as
``out._data`` and ``out.parents[i]._data`` (``saved`` holds axes, indices and
masks, never a value to differentiate) and computes with operators, methods
that arrays and Tensors share (``.sum``, ``.reshape``, ``.T``, indexing) and
numpy functions. By default ``g`` and those values are arrays. Under
``backward(create_graph=True)`` the engine hands the same function ``g`` as a
Tensor and a ``RecordingView`` of ``out`` whose ``_data`` are the Tensors
themselves; numpy functions called on Tensors dispatch to the ops of this
module (interop.py), so the VJP's computation is recorded as a graph of its
own, which can be differentiated again (gradients of gradients).

(Why module-level backward functions rather than closures defined inside each
op, as micrograd does: a closure is three to five extra Python objects per
node, and Python's garbage collector walks every one of them on every
collection; benchmarks/choices_ops.py times the difference.)

Broadcasting: an elementwise op broadcasts its operands like numpy; in the
backward, the gradient has the broadcast shape and ``unbroadcast`` sums it back
down to each operand's own shape (a bias added to every row of a batch gets
the sum over the batch).
"""
from __future__ import annotations

from . import (_checks, arithmetic, comparison, elementwise, indexing, join_split, linalg,  # noqa: F401
               nn_ops, reductions, shape, trigonometric)
from ..tensor import make_result  # noqa: F401  (what every op returns through; tests build ops with it)
from ._checks import (Grad, Grads, as_tensor)  # noqa: F401, A004
from .arithmetic import (unbroadcast, add, add_backward, sub, sub_backward, mul, mul_backward, div,
                         div_backward, pow, pow_backward, neg, neg_backward)  # noqa: F401, A004
from .elementwise import (exp, exp_backward, log, log_backward, sqrt, sqrt_backward, square,
                          square_backward, reciprocal, reciprocal_backward, exp2, exp2_backward,
                          expm1, expm1_backward, log1p, log1p_backward, log2, log2_backward, log10,
                          log10_backward, logaddexp, logaddexp_backward, hypot, hypot_backward,
                          abs, abs_backward, absolute, absolute_backward, sign, sign_backward,
                          floor, floor_backward, ceil, ceil_backward, mod, mod_backward,
                          floor_divide, floor_divide_backward, logaddexp2, logaddexp2_backward)  # noqa: F401, A004
from .trigonometric import (tanh, tanh_backward, sin, sin_backward, cos, cos_backward, tan,
                            tan_backward, arcsin, arcsin_backward, arccos, arccos_backward, arctan,
                            arctan_backward, arctan2, arctan2_backward, sinh, sinh_backward, cosh,
                            cosh_backward, arcsinh, arcsinh_backward, arccosh, arccosh_backward,
                            arctanh, arctanh_backward, deg2rad, deg2rad_backward, radians,
                            radians_backward, rad2deg, rad2deg_backward, degrees, degrees_backward)  # noqa: F401, A004
from .comparison import (eq, ne, lt, le, gt, ge, maximum, maximum_backward, minimum,
                         minimum_backward, clip, clip_backward, where, where_backward, fmax,
                         fmax_backward, fmin, fmin_backward)  # noqa: F401, A004
from .reductions import (sum, sum_backward, mean, mean_backward, max, max_backward, min,
                         min_backward, prod, prod_backward, var, var_backward, std, std_backward,
                         cumsum, cumsum_backward, logsumexp, logsumexp_backward)  # noqa: F401, A004
from .linalg import (matmul, matmul_backward, einsum, einsum_backward, dot, dot_backward, inner,
                     inner_backward, outer, outer_backward, tensordot, tensordot_backward, trace,
                     trace_backward, diag, diag_backward, tril, tril_backward, triu, triu_backward)  # noqa: F401, A004
from .nn_ops import (_logistic, sigmoid, sigmoid_backward, relu, relu_backward, linear,
                     linear_backward, softmax, softmax_backward, log_softmax, log_softmax_backward)  # noqa: F401, A004
from .indexing import (getitem, getitem_backward, add_at, add_at_backward, masked_fill,
                       masked_fill_backward)  # noqa: F401, A004
from .shape import (reshape, reshape_backward, transpose, transpose_backward, flip, flip_backward,
                    broadcast_to, broadcast_to_backward, ravel, ravel_backward, flatten,
                    flatten_backward, squeeze, squeeze_backward, expand_dims, expand_dims_backward,
                    swapaxes, swapaxes_backward, moveaxis, moveaxis_backward, roll, roll_backward,
                    repeat, repeat_backward, tile, tile_backward, pad, pad_backward, astype,
                    astype_backward, atleast_1d, atleast_1d_backward, atleast_2d,
                    atleast_2d_backward, atleast_3d, atleast_3d_backward, fliplr, fliplr_backward,
                    flipud, flipud_backward)  # noqa: F401, A004
from .join_split import (concatenate, concatenate_backward, stack, stack_backward, split_backward,
                         split, array_split, array_split_backward, joined_backward, hstack,
                         hstack_backward, vstack, vstack_backward, hsplit, hsplit_backward, vsplit,
                         vsplit_backward, dsplit, dsplit_backward, column_stack,
                         column_stack_backward, append, append_backward)  # noqa: F401, A004

# the op-family modules, each of which ends with its NUMPY_UFUNCS / NUMPY_FUNCTIONS tables (interop.py)
FAMILIES = (arithmetic, elementwise, trigonometric, comparison, reductions, linalg, nn_ops, indexing, shape, join_split)
