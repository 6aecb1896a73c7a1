"""One catalogue of the test functions of ``tests/examples_*.py``, each tagged for every mode.

Every entry names a function srcad differentiates today (functions the tests expect to be
refused are left out), how to build example arguments, which arguments are differentiated
(``wrt``, an int or a tuple, as the public API takes it) and what the function returns:

* ``"scalar"``: grad, jvp, vjp, hessian, hvp and check (``value_and_grad(check=True)``);
* ``"array"``: jvp, vjp, jacfwd and jacrev;
* ``"tuple"``: jvp and vjp.

The modes a return kind does not have are not applicable, for the reasons in
:data:`NOT_APPLICABLE`; an entry marks further modes refused by design in ``refused``
(mode -> reason).  ``hessian`` and ``hvp`` take one wrt argument: the first of ``wrt``
(``hessian_wrt`` names another).

``tests/test_catalogue.py`` turns the entries into cases, one a mode, and
``tests/catalogue_sources.py`` writes the generated source of each (function, mode).
"""

import dataclasses
import inspect
import zlib
from typing import Callable, Optional

import numpy as np

import examples_api
import examples_array_regressions as regressions
import examples_array_semantics as semantics
import examples_arrays
import examples_buffers
import examples_cache
import examples_calls
import examples_chain as chain
import examples_custom as custom
import examples_forward_grad as forward_grad
import examples_golden
import examples_higher as higher
import examples_jacobian as jacobian
import examples_kernels as kernels
import examples_mgh as mgh
import examples_primitives as primitives
import examples_recording as recording
import examples_tuples as tuples
import examples_vector_hessian as vector_hessian
import examples_vector_valued as vector_valued
import examples_vectors as vectors
import examples_views as views

MODES = ("grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "hvp", "check")

# the public transformation each mode builds (check is value_and_grad with check=True)
KIND = {"grad": "grad", "jvp": "jvp", "vjp": "vjp", "jacfwd": "jacfwd", "jacrev": "jacrev", "hessian": "hessian",
        "hvp": "hvp", "check": "value_and_grad"}

RETURNS = {
    "scalar": ("grad", "jvp", "vjp", "hessian", "hvp", "check"),
    "array": ("jvp", "vjp", "jacfwd", "jacrev"),
    "tuple": ("jvp", "vjp"),
}

# Why a mode does not apply to a return kind (README, "Limits" and "Jacobians").
NOT_APPLICABLE = {
    "scalar": {
        "jacfwd": "a scalar's Jacobian is its gradient: covered by grad, jvp and vjp",
        "jacrev": "a scalar's Jacobian is its gradient: covered by grad, jvp and vjp",
    },
    "array": {
        "grad": "grad of a function that returns an array is refused (use vjp)",
        "hessian": "hessian is of a scalar-valued function",
        "hvp": "hvp is of a scalar-valued function",
        "check": "check=True is taken with grad here; jvp and vjp compare with differences already",
    },
    "tuple": {
        "grad": "grad of a tuple is refused without has_aux=True",
        "hessian": "hessian is of a scalar-valued function",
        "hvp": "hvp is of a scalar-valued function",
        "check": "check=True is taken with grad here; jvp and vjp compare with differences already",
        "jacfwd": "Jacobians of tuple-valued functions are refused (take the Jacobian of each part)",
        "jacrev": "Jacobians of tuple-valued functions are refused (take the Jacobian of each part)",
    },
}


@dataclasses.dataclass(frozen=True)
class Entry:
    """One catalogue function: ``func(*args(rng))`` differentiated with respect to ``wrt``."""

    func: Callable
    args: Callable            # rng -> a tuple of fresh arguments
    wrt: object = 0           # an int or a tuple of ints, as the public API takes it
    returns: str = "scalar"   # "scalar", "array" or "tuple"
    refused: dict = dataclasses.field(default_factory=dict)   # mode -> why it is refused by design
    hessian_wrt: Optional[int] = None
    rtol: float = 1e-6        # against finite differences
    atol: float = 1e-7
    value_rtol: float = 1e-10   # the derivative's value against the function run by Python
    name: str = ""

    def __post_init__(self):
        if not self.name:
            module = self.func.__module__.replace("examples_", "")
            object.__setattr__(self, "name", f"{module}.{self.func.__name__}")
        assert self.returns in RETURNS, self.returns
        assert set(self.refused) <= set(RETURNS[self.returns]), (self.name, self.refused)

    @property
    def modes(self):
        """The modes this entry is checked in."""
        return tuple(m for m in RETURNS[self.returns] if m not in self.refused)

    def not_applicable(self, mode):
        """Why ``mode`` is not checked for this entry, or None where it is."""
        return self.refused.get(mode) or NOT_APPLICABLE[self.returns].get(mode)

    @property
    def indices(self):
        return (self.wrt,) if isinstance(self.wrt, int) else tuple(self.wrt)

    def wrt_of(self, mode):
        """The ``wrt`` the transformation of ``mode`` takes."""
        if mode in ("hessian", "hvp"):
            return self.indices[0] if self.hessian_wrt is None else self.hessian_wrt
        return self.wrt

    def example(self):
        """Fresh example arguments, the same on every call, completed by the function's defaults
        (jvp and vjp append their arguments after every parameter)."""
        args = self.args(np.random.default_rng(zlib.crc32(self.name.encode())))
        bound = inspect.signature(self.func).bind(*args)
        bound.apply_defaults()
        return tuple(bound.args)


def transformation(entry, mode, wrt=None, **options):
    """The :class:`srcad.api.Transformation` that ``mode`` builds for ``entry`` (nothing built yet);
    ``wrt`` replaces the entry's."""
    from srcad.api import Transformation

    if mode == "check":
        options.setdefault("check", True)
    return Transformation(entry.func, KIND[mode], entry.wrt_of(mode) if wrt is None else wrt, **options)


def argument_types(t, args):
    """The argument types srcad specializes ``t`` for at ``args`` (the function's own arguments)."""
    return t.split_args(tuple(args), 0)[2]


def source(entry, mode):
    """The generated source of ``entry`` in ``mode`` at its example arguments (builds, compiles nothing)."""
    t = transformation(entry, mode)
    return t.specialize(argument_types(t, entry.example())).source


# ---------------------------------------------------------------- arguments
def _a(*values):
    return np.array(values, dtype=np.float64)


X3 = (0.5, -1.2, 2.0)
X4 = (0.3, -0.5, 0.8, 1.1)
W4 = (1.0, 2.0, -1.0, 0.5)
SPD = ((4.0, 1.0, 0.5), (1.0, 3.0, 0.2), (0.5, 0.2, 2.0))
M32 = ((0.5, 1.5), (-0.2, 0.7), (1.1, -0.6))


def _m(rows):
    return np.array(rows, dtype=np.float64)


def _normal(rng, *shape, scale=1.0):
    return rng.normal(size=shape) * scale


def _layers(rng, *widths):
    """(W1, b1, W2, b2, ...) of dense layers of the given widths, input first."""
    out = []
    for n_in, n_out in zip(widths, widths[1:]):
        out += [rng.normal(size=(n_out, n_in)) / np.sqrt(n_in), rng.normal(size=n_out) * 0.1]
    return tuple(out)


# custom rules whose partials call functions of their own module, which have no rules themselves
_PARTIALS_WITHOUT_RULES = "a partial of a custom rule calls a function without a rule: no second derivative"
_NO_SECOND = {"hessian": _PARTIALS_WITHOUT_RULES, "hvp": _PARTIALS_WITHOUT_RULES}

E = Entry

ENTRIES = [
    # ---------------------------------------------------------------- examples_arrays
    E(examples_arrays.cumsum_sq, lambda r: (_a(*X4),)),
    E(examples_arrays.overwrite, lambda r: (_a(*X4), 3)),
    E(examples_arrays.matvec, lambda r: (np.arange(12.0).reshape(3, 4) / 10, _a(*X4)), (0, 1)),
    E(examples_arrays.iterate, lambda r: (_a(*X4), _a(*W4)), (0, 1)),
    E(examples_arrays.aug, lambda r: (_a(*X4),)),
    E(examples_arrays.ignores_input, lambda r: (_a(*X4), _a(*W4)), (0, 1)),
    E(examples_arrays.scaled_by_inactive_buffer, lambda r: (_a(*X4),)),
    E(examples_arrays.reversed_slice, lambda r: (_a(*X4),)),
    E(examples_arrays.triangular, lambda r: (np.linspace(0.5, 1.5, 10), _a(*X4)), (0, 1)),
    E(examples_arrays.hoist_guard, lambda r: (_a(*X4),)),
    # ---------------------------------------------------------------- examples_vectors
    E(vectors.energy, lambda r: (_normal(r, 5), _normal(r, 5)), (0, 1)),
    E(vectors.layer, lambda r: (_normal(r, 3, 3, scale=0.5), _normal(r, 3), _normal(r, 3)), (0, 1, 2)),
    E(vectors.rnn, lambda r: (_normal(r, 3, 3, scale=0.5), _normal(r, 3), _normal(r, 3), 4), (0, 1, 2)),
    E(vectors.mats, lambda r: (_normal(r, 3, 4), _normal(r, 3, 4)), (0, 1)),
    E(vectors.sl, lambda r: (_a(0.3, -0.2, 0.45, 1.1, -0.8),)),
    E(vectors.matvec_rows, lambda r: (_normal(r, 3, 4), _normal(r, 4)), (0, 1)),
    E(vectors.vector_loop, lambda r: (_normal(r, 5), 4)),
    E(vectors.axis_sums, lambda r: (_normal(r, 3, 4),)),
    E(vectors.slice_writes, lambda r: (_normal(r, 5),)),
    E(vectors.ufuncs_trig, lambda r: (_normal(r, 5, scale=0.5),)),
    E(vectors.ufuncs_hyperbolic, lambda r: (_normal(r, 5, scale=0.5),)),
    E(vectors.ufuncs_exp_log, lambda r: (_normal(r, 5),)),
    E(vectors.ufuncs_piecewise, lambda r: (_a(0.3, -0.9, 0.45, 1.1, -0.2), _a(0.1, 0.7, -1.3, 0.5, 0.4)), (0, 1)),
    # ---------------------------------------------------------------- examples_calls, _api, _buffers, _cache
    E(examples_calls.caller, lambda r: (0.7, -0.4), (0, 1)),
    E(examples_calls.dot_rows, lambda r: (np.arange(6.0).reshape(2, 3) / 7, _a(0.5, -1.0, 2.0)), (0, 1)),
    E(examples_calls.newton, lambda r: (2.0,)),
    E(examples_calls.step, lambda r: (0.5, 6)),
    E(examples_calls.called_twice_in_loop, lambda r: (0.3, 4)),
    E(examples_calls.uses_tuple_result, lambda r: (0.8,)),
    E(examples_calls.row_dot, lambda r: (np.arange(6.0).reshape(2, 3) / 7, 1, _a(0.5, -1.0, 2.0)), (0, 2)),
    E(examples_calls.polar, lambda r: (1.5, 0.7), (0, 1), returns="tuple"),
    E(examples_api.scaled, lambda r: (1.5, 2.0), (0, 1)),
    E(examples_buffers.squash, lambda r: (_a(0.3, -0.2, 0.9),), returns="array"),
    E(examples_buffers.total, lambda r: (_a(0.3, -0.2, 0.9),)),
    E(examples_buffers.in_loop, lambda r: (_a(0.3, -0.2, 0.9),)),
    E(examples_buffers.fresh_each_time, lambda r: (_a(0.3, -0.2, 0.9),)),
    E(examples_cache.spring, lambda r: (2.0, 1.0, 100), (0, 1)),
    E(examples_golden.poly_sin, lambda r: (0.5, 1.5), (0, 1)),
    # ---------------------------------------------------------------- examples_forward_grad, _vector_valued
    E(forward_grad.loop_objective, lambda r: (_normal(r, 4), 0.7), (0, 1)),
    E(forward_grad.array_objective, lambda r: (_normal(r, 2, 3),)),
    E(forward_grad.pair_valued, lambda r: (_normal(r, 3),), returns="tuple"),
    E(forward_grad.with_count, lambda r: (_normal(r, 3), 3), returns="array"),
    E(forward_grad.cubic, lambda r: (0.7,)),
    E(vector_valued.rhs, lambda r: (_a(0.3, -0.7, 1.2), 0.8), (0, 1), returns="array"),
    E(vector_valued.softmax, lambda r: (_a(0.3, -0.7, 1.2),), returns="array"),
    E(vector_valued.piecewise, lambda r: (_a(0.3, -0.7, 1.2), 0.7), returns="array"),
    # ---------------------------------------------------------------- examples_vector_hessian, _higher
    E(vector_hessian.newton_roots, lambda r: (_a(2.0, 3.0, 5.0, 0.7),)),
    E(vector_hessian.overwritten, lambda r: (_a(0.3, -0.8, 1.1, 0.5),)),
    E(vector_hessian.rosenbrock_while, lambda r: (_a(-1.2, 1.0, 0.8, 1.3, -0.4),)),
    E(vector_hessian.coupled, lambda r: (_a(0.3, -0.8, 1.1, 0.5),)),
    E(higher.straight, lambda r: (0.7,)),
    E(higher.recorded_loop, lambda r: (0.4,)),
    E(higher.newton_sqrt, lambda r: (2.0,)),
    E(higher.branches, lambda r: (0.9,)),
    E(higher.lgamma_of, lambda r: (1.7,)),
    E(higher.array_loop, lambda r: (_a(0.3, -0.8, 1.1),)),
    E(higher.rosenbrock, lambda r: (_a(-1.2, 1.0, 0.8, 1.1),)),
    E(higher.vector_valued, lambda r: (0.6,), returns="array"),
    E(higher.matrix_energy, lambda r: (_m(((0.3, -0.8, 1.1), (0.5, 0.2, -1.3))),)),
    E(higher.early_exit, lambda r: (0.4,)),
    E(higher.works_on_a_copy, lambda r: (_a(0.3, -0.5, 0.9),)),
    E(higher.two_arguments, lambda r: (0.7, 3, 1.2), (0, 2)),
    # ---------------------------------------------------------------- examples_jacobian
    E(jacobian.two_layers, lambda r: (_normal(r, 4), _normal(r, 3, 4), _normal(r, 2, 3)), (0, 1), returns="array"),
    E(jacobian.wide, lambda r: (_normal(r, 3), _normal(r, 4, 3)), (0, 1), returns="array"),
    E(jacobian.iterate_until_small, lambda r: (_normal(r, 4), 0.8), (0, 1), returns="array"),
    E(jacobian.running_products, lambda r: (_a(0.5, 1.2, -0.3, 2.0, 0.7),), returns="array"),
    E(jacobian.outer_square, lambda r: (_normal(r, 3),), returns="array"),
    E(jacobian.energy, lambda r: (_normal(r, 4), 0.6), (0, 1)),
    E(jacobian.scalar_pair, lambda r: (0.4, -0.9), (0, 1)),
    E(jacobian.matrix_input, lambda r: (_normal(r, 2, 3), _normal(r, 3)), (0, 1), returns="array"),
    E(jacobian.sized_by_value, lambda r: (_normal(r, 3), 5), returns="array"),
    E(jacobian.pair, lambda r: (_normal(r, 3),), returns="tuple"),
    E(jacobian.long_recurrence, lambda r: (_normal(r, 2), 50), returns="array"),
    E(jacobian.ignores_first, lambda r: (_normal(r, 3), _normal(r, 2)), (0, 1), returns="array"),
    # ---------------------------------------------------------------- examples_array_regressions
    E(regressions.nested_products, lambda r: (_normal(r, 5, 3), _normal(r, 3)), (0, 1)),
    E(regressions.nested_products_matrix, lambda r: (_normal(r, 3, 4), _normal(r, 4, 4), _normal(r, 4)), (0, 1, 2)),
    E(regressions.scaled_by_own_element, lambda r: (_a(1.0, 2.0, 3.0),)),
    E(regressions.row_sums_minus_element, lambda r: (_normal(r, 3, 3),)),
    E(regressions.max_of_row_sums, lambda r: (_normal(r, 3, 3), 1.3), (0, 1)),
    E(regressions.max_in_loop_condition, lambda r: (_normal(r, 3, 3), _normal(r, 3), 1.3), (0, 2)),
    E(regressions.nested_reductions_in_index, lambda r: (_m(((0.2, 0.3), (0.6, 0.9))),)),
    E(regressions.reduction_in_one_branch, lambda r: (_normal(r, 3, 3), 0.7), (0, 1)),
    E(regressions.reduction_after_or, lambda r: (_normal(r, 3, 3), 0.7), (0, 1)),
    E(regressions.reduction_in_while_condition, lambda r: (np.abs(_normal(r, 3, 3)) * 0.5, 0.7), (0, 1)),
    E(regressions.reduction_in_while_with_break, lambda r: (_a(0.5, -1.0, 2.0), 0.9), (0, 1)),
    E(regressions.negative_slices, lambda r: (np.linspace(0.1, 1.0, 7), -3)),
    E(regressions.dense_layer, lambda r: (_normal(r, 4, 3), _normal(r, 3, 2), _normal(r, 2)), (0, 1, 2)),
    E(regressions.new_axes, lambda r: (_normal(r, 3, 4), _normal(r, 3), _normal(r, 4)), (0, 1, 2)),
    E(regressions.reshaped, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, np.arange(6.0).reshape(2, 3) / 7 + 0.1),
      (0, 1)),
    E(regressions.ufunc_spellings, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, np.linspace(-0.5, 0.6, 6)), (0, 1)),
    E(regressions.ufunc_spellings_scalar, lambda r: (0.35, 0.7), (0, 1)),
    E(regressions.cumulative, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, np.arange(6.0).reshape(2, 3) / 7 + 0.1),
      (0, 1)),
    E(regressions.differences, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, np.arange(6.0).reshape(2, 3) / 7 + 0.1),
      (0, 1)),
    E(regressions.joined, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, np.arange(6.0).reshape(2, 3) / 7 + 0.1),
      (0, 1)),
    E(regressions.constant_arrays, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, 5)),
    E(regressions.norms, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, np.arange(6.0).reshape(2, 3) / 7 + 0.1),
      (0, 1)),
    E(regressions.cumulative_in_loop, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, 3)),
    E(regressions.masks_and_counters, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5,)),
    E(regressions.constructors_in_expressions, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5,)),
    E(regressions.spreads, lambda r: (np.linspace(0.1, 1.0, 6) ** 1.5, (np.arange(6.0).reshape(2, 3) / 7 + 0.1) ** 2),
      (0, 1)),
    E(regressions.axis_keywords, lambda r: ((np.arange(6.0).reshape(2, 3) / 7 + 0.1) ** 1.3,)),
    E(regressions.negative_index_of_expression, lambda r: (_normal(r, 3, 4), 1)),
    E(regressions.linear_algebra, lambda r: (_normal(r, 3, 3) + 3.0 * np.eye(3), _normal(r, 3)), (0, 1),
      value_rtol=1e-8),
    E(regressions.determinant, lambda r: (_m(((1e-3, 2.0, 1.0), (0.5, 1.0, 3.0), (-2.0, 0.5, 1.0))),), value_rtol=1e-8),
    # ---------------------------------------------------------------- examples_array_semantics
    E(semantics.accumulate_in_helper, lambda r: (_a(*X3),)),
    E(semantics.add_to_row_view, lambda r: (_m(((1.0, 2.0), (3.0, 4.0))),)),
    E(semantics.integrate_positions, lambda r: (_normal(r, 3, 4), _normal(r, 3, 3), 0.1), (0, 1, 2)),
    E(semantics.helper_scales_a_row, lambda r: (_normal(r, 3, 2),)),
    E(semantics.in_place_on_argument, lambda r: (_a(*X3),)),
    E(semantics.in_place_with_reduction, lambda r: (_a(*X3),)),
    E(semantics.second_differences, lambda r: (_a(1.0, 4.0, 2.0, 8.0, 3.0, 0.5),)),
    E(semantics.rebound_longer, lambda r: (_a(*X3), _normal(r, 3, 4)), (0, 1)),
    E(semantics.two_layers, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2), (0, 1), returns="array"),
    E(semantics.rebound_in_loop, lambda r: (_a(*X3), _normal(r, 3, 3)), (0, 1)),
    E(semantics.buffer_swap, lambda r: (_a(1.0, 2.0), _a(3.0, 4.0)), (0, 1)),
    E(semantics.stencil, lambda r: (np.linspace(0.0, 1.0, 6), 3)),
    E(semantics.recurrent, lambda r: (_normal(r, 3, 2, scale=0.5), _normal(r, 2, 2, scale=0.5)), (0, 1)),
    E(semantics.kernel, lambda r: (_a(*X3),), returns="array"),
    E(semantics.helper_local_named_result, lambda r: (_a(*X3),)),
    E(semantics.newton_until_return, lambda r: (2.0,)),
    E(semantics.written_through_transpose, lambda r: (_normal(r, 2, 3), _normal(r, 3, 2)), (0, 1)),
    E(semantics.shifted_augmented, lambda r: (_a(1.0, 2.0, 3.0, 5.0),)),
    E(semantics.helper_scales_the_argument, lambda r: (_a(1.0, 2.0, 3.0, 5.0),)),
    E(semantics.rows_in_place_in_loop, lambda r: (_normal(r, 3, 2),)),
    E(semantics.transpose_filled_with_rows, lambda r: (_normal(r, 2, 3), _normal(r, 2)), (0, 1)),
    E(semantics.copy_of_row_written, lambda r: (np.arange(6.0).reshape(3, 2) + 0.5,)),
    E(semantics.helper_writes_into_a_slice, lambda r: (_a(0.3, 1.0, 2.0, 3.0),)),
    E(semantics.helper_fills_a_row, lambda r: (np.arange(6.0).reshape(3, 2) + 0.5,)),
    E(semantics.helper_fills_a_temporary, lambda r: (_a(0.3, 1.0),)),
    # ---------------------------------------------------------------- examples_chain
    E(chain.dense_tanh, lambda r: _layers(r, 3, 2) + (_normal(r, 3),), (0, 1, 2), returns="array"),
    E(chain.softplus, lambda r: (_normal(r, 4),), returns="array"),
    E(chain.two_layers, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2), (0, 1), returns="array"),
    E(chain.three_layers, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2) + (0.7,), (0, 5), returns="array"),
    E(chain.to_scalar, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2), (0, 1)),
    E(chain.weights_second, lambda r: (_normal(r, 4, 3), _normal(r, 3), _normal(r, 4)) + _layers(r, 4, 2), (0, 1),
      returns="array"),
    E(chain.keywords_and_defaults, lambda r: (_normal(r, 3),) + _layers(r, 3, 4) + (0.25,), (0, 3), returns="array"),
    E(chain.intermediate_as_weight, lambda r: (_normal(r, 3),) + _layers(r, 3, 3), (0, 1), returns="array"),
    E(chain.writes_into_a_copy, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2), returns="array"),
    E(chain.layer_writes_argument, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2), (0, 1), returns="array"),
    E(chain.layer_writes_through_alias, lambda r: (_normal(r, 3),) + _layers(r, 3, 4, 2), (0, 1), returns="array"),
    # ---------------------------------------------------------------- examples_custom (rules registered on import)
    E(custom.uses_root, lambda r: (0.7, 1.3), (0, 1)),
    E(custom.uses_gamma, lambda r: (2.5,), refused=_NO_SECOND),
    E(custom.uses_scaled, lambda r: (0.8, 1.1, 3), (0, 1), refused=_NO_SECOND),
    E(custom.in_loop, lambda r: (0.8, 4)),
    E(custom.everything, lambda r: (1.5, 2.5), (0, 1), refused=_NO_SECOND),
    # ---------------------------------------------------------------- examples_kernels
    E(kernels.while_and, lambda r: (1.3,)),
    E(kernels.while_or, lambda r: (0.7,)),
    E(kernels.elif_call, lambda r: (0.8, 6)),
    E(kernels.conditional_expression, lambda r: (1.1, 7)),
    E(kernels.call_in_the_target, lambda r: (0.8,)),
    E(kernels.fills_in_loop, lambda r: (_a(*X3), -0.5), (0, 1)),
    E(kernels.euler, lambda r: (_a(0.3, 0.1), 0.1), (0, 1)),
    E(kernels.writes_a_view, lambda r: (0.5,)),
    E(kernels.rotated, lambda r: (0.3, 0.7), (0, 1)),
    E(kernels.moments_of_moments, lambda r: (0.4,), returns="tuple"),
    E(kernels.tuple_of_tuple_helpers, lambda r: (0.4,)),
    E(kernels.passes_tuples, lambda r: (0.6,)),
    E(kernels.keywords, lambda r: (0.3,)),
    E(kernels.unpacks_tuple_argument, lambda r: (_a(*X3), (0.5, 2.0), (3, 1))),
    E(kernels.output_buffer, lambda r: (_a(*X3), np.zeros(3))),
    E(kernels.gradient_steps, lambda r: (_a(*X3), _a(0.5, 1.0, 2.0), 0.1), (0, 1, 2)),
    E(kernels.helper_writes_argument, lambda r: (_a(*X3),)),
    E(kernels.reads_globals, lambda r: (_a(*X3),)),
    E(kernels.global_tuples, lambda r: (0.7,)),
    E(kernels.loops_over_tuples, lambda r: (0.7, (1.0, 2.0, 3.0))),
    E(kernels.parallel_sum, lambda r: (_a(*X3),)),
    E(kernels.flagged, lambda r: (1.5, "square")),
    E(kernels.weighted_loss, lambda r: (_a(*X3), _a(2.0, 3.0, 0.5)), (0, 1)),
    E(kernels.optional_scale, lambda r: (0.5, 2.0), (0, 1)),
    # ---------------------------------------------------------------- examples_primitives
    E(primitives.rounded_factors, lambda r: (1.3, 2.6), (0, 1)),
    E(primitives.angles, lambda r: (0.7, 1.2), (0, 1)),
    E(primitives.gamma_plus_and_bool, lambda r: (1.3, 0.8), (0, 1)),
    # ---------------------------------------------------------------- examples_mgh
    E(mgh.rosenbrock, lambda r: (_a(-1.2, 1.0, -1.1, 0.9),)),
    E(mgh.beale, lambda r: (_a(1.0, 0.8),)),
    E(mgh.wood, lambda r: (_a(-3.0, -1.0, -3.0, -1.0),)),
    E(mgh.helical_valley, lambda r: (_a(-1.0, 0.5, 0.3),)),
    E(mgh.box_3d, lambda r: (_a(0.0, 10.0, 20.0),)),
    E(mgh.broyden_tridiagonal, lambda r: (_a(-1.0, -0.8, -1.2, -0.9, -1.1),)),
    E(mgh.bard, lambda r: (_a(1.0, 1.0, 1.0),)),
    E(mgh.brown_almost_linear, lambda r: (_a(0.5, 0.6, 0.4, 0.55),)),
    E(mgh.discrete_boundary_value, lambda r: (_a(-0.1, -0.15, -0.15, -0.1),)),
    E(mgh.biggs_exp6, lambda r: (_a(1.0, 2.0, 1.0, 1.0, 1.0, 1.0),)),
    # ---------------------------------------------------------------- examples_recording
    E(recording.swapped_index_array, lambda r: (_a(2.0, 3.0), np.array([0, 1]))),
    E(recording.index_from_changing_floats, lambda r: (np.arange(5.0) + 1, _m(((0.0, 1, 2), (1.0, 2, 3))))),
    E(recording.write_through_changing_index, lambda r: (_a(0.3, -0.5, 0.8), np.array([1, 0]))),
    E(recording.rk4_oscillator, lambda r: (_a(1.0, 1.3), _a(1.0, 0.2)), (0, 1)),
    E(recording.inactive_element_at_changing_index, lambda r: (0.7, _a(1.0, 2.0, 4.0), np.array([0, 1])), (0, 1)),
    E(recording.loop_bound_from_changing_array, lambda r: (0.7, np.array([3, 1]))),
    E(recording.constant_written_at_changing_index, lambda r: (0.7, np.array([0, 1]))),
    E(recording.gather_through_filled_index_array, lambda r: (_normal(r, 4, 3), _a(0.3, -0.5, 0.8), 4), (0, 1)),
    E(recording.loops_over_a_changing_array, lambda r: (_a(0.3, -0.5, 0.8),)),
    # ---------------------------------------------------------------- examples_tuples
    E(tuples.loss_and_prediction, lambda r: (_a(0.3, -0.7), _m(((1.0, 2.0), (0.5, -1.0), (3.0, 0.25))),
                                             _a(1.0, -2.0, 0.5)), (0, 1), returns="tuple"),
    E(tuples.signed_parts, lambda r: (0.8,), returns="tuple"),
    E(tuples.stats, lambda r: (_a(0.5, -1.0, 2.0),), returns="tuple"),
    E(tuples.scaled_and_norm, lambda r: (_a(0.5, -1.0, 2.0), 1.5), (0, 1), returns="tuple"),
    E(tuples.first_above, lambda r: (_a(0.5, -1.0, 2.0), 1.0), (0, 1), returns="tuple"),
    E(tuples.polar_of_square, lambda r: (1.5, 0.7), (0, 1), returns="tuple"),
    E(tuples.doubled_and_square, lambda r: (_a(0.5, -1.0), 1.5), (0, 1), returns="tuple"),
    E(tuples.spread, lambda r: (_a(0.5, -1.0, 2.0),), returns="array"),
    E(tuples.norm2, lambda r: (_a(0.5, -1.0, 2.0),)),
    E(tuples.decay, lambda r: (3.0, 0.2), (0, 1)),
    # ---------------------------------------------------------------- examples_views
    E(views.write_through_slice_of_copy, lambda r: (0.7, _a(0.4, -1.3, 2.0)), (0, 1)),
    E(views.scale_rows, lambda r: (0.7, _a(0.4, -1.3)), (0, 1)),
    E(views.read_rows_of_argument, lambda r: (_m(M32), 0.5), (0, 1)),
    E(views.slice_of_slice, lambda r: (0.7,)),
    E(views.transposed, lambda r: (0.7,)),
    E(views.helper_returns_one_of_two, lambda r: (_a(0.4, -1.3, 2.0), _a(-0.4, 1.3, -2.0)), (0, 1)),
    E(views.helper_reads_rows, lambda r: (_m(M32), 0.5), (0, 1)),
    E(views.subscript_of_subscript, lambda r: (_m(M32), 0.5), (0, 1)),
    E(views.slice_with_variable_bounds, lambda r: (0.7, 2)),
    E(views.euler_with_early_return, lambda r: (1.3, _a(1.0, 0.5)), (0, 1)),
    E(views.strided_block, lambda r: (0.7,)),
    E(views.row_bound_in_loop, lambda r: (0.7, _a(0.4, -1.3, 2.0)), (0, 1)),
    E(views.helper_fills_and_returns_from_two_places, lambda r: (_a(0.4, -1.3, 2.0, 0.9),)),
    E(views.loops_over_a_slice, lambda r: (0.7,)),
    E(views.zipped_rows, lambda r: (_m(M32), 2.0 * _m(M32), 1.5), (0, 1, 2)),
    E(views.gauss_seidel, lambda r: (_m(SPD), _a(1.0, 2.0, 3.0)), (0, 1)),
    E(views.cholesky_log_determinant, lambda r: (_m(SPD),)),
]

BY_NAME = {entry.name: entry for entry in ENTRIES}
assert len(BY_NAME) == len(ENTRIES), "catalogue names must be unique"


def cases(modes=MODES):
    """(entry, mode) for every applicable pair, in catalogue order."""
    return [(entry, mode) for entry in ENTRIES for mode in entry.modes if mode in modes]
