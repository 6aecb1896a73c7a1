"""Arrays are references, as in NumPy and Numba (issue 11).

Each function here once gave a wrong value or gradient, crashed, or was
refused.  The value must equal the function run by Python, the gradient
central differences, and forward mode reverse mode; every case runs its
generated code as plain Python, and a sample compiled.
"""

import numpy as np
import pytest

import srcad

import examples_array_semantics as ex
from test_array_regressions import _copies, _plain_functions, _run_reverse, _tangents
from fd import assert_close, gradient

RNG = np.random.default_rng(11)
X3 = np.array([0.5, -1.0, 2.0])
X6 = np.array([1.0, 4.0, 2.0, 8.0, 3.0, 0.5])

CASES = [
    (ex.accumulate_in_helper, (X3,), (0,)),
    (ex.add_to_row_view, (np.array([[1.0, 2.0], [3.0, 4.0]]),), (0,)),
    (ex.scale_slice_view, (X3,), (0,)),
    (ex.integrate_positions, (RNG.normal(size=(4, 6)), RNG.normal(size=(4, 3)), 0.1), (0, 1, 2)),
    (ex.helper_scales_a_row, (RNG.normal(size=(3, 2)),), (0,)),
    (ex.in_place_on_argument, (X3,), (0,)),
    (ex.in_place_through_alias, (X3,), (0,)),
    (ex.in_place_with_reduction, (X3,), (0,)),
    (ex.in_place_in_loop, (X3,), (0,)),
    (ex.second_differences, (X6,), (0,)),
    (ex.rebound_to_other_argument, (np.arange(1.0, 5.0), np.array([0.1, 0.2, 0.3])), (0, 1)),
    (ex.rebound_longer, (X3, RNG.normal(size=(3, 5))), (0, 1)),
    (ex.rebound_in_loop, (X3, RNG.normal(size=(3, 3))), (0, 1)),
    (ex.buffer_swap, (np.array([1.0, 2.0]), np.array([3.0, 4.0])), (0, 1)),
    (ex.stencil, (np.linspace(0.0, 1.0, 7), 4), (0,)),
    (ex.recurrent, (RNG.normal(size=(3, 2)) * 0.5, RNG.normal(size=(2, 2)) * 0.5), (0, 1)),
    (ex.shifted_into_itself, (np.array([1.0, 2.0, 3.0, 4.0]),), (0,)),
    (ex.helper_local_named_result, (X3,), (0,)),
    (ex.newton_until_return, (2.0,), (0,)),
    (ex.halve_until_return, (np.array([1.0, 2.0]),), (0,)),
    (ex.whole_matrix_in_place, (RNG.normal(size=(2, 3)),), (0,)),
    (ex.reversed_into_itself, (np.array([1.0, 2.0, 3.0, 5.0]),), (0,)),
    (ex.shifted_augmented, (np.array([1.0, 2.0, 3.0, 5.0]),), (0,)),
    (ex.helper_scales_the_argument, (np.array([1.0, 2.0, 3.0, 5.0]),), (0,)),
    (ex.rows_in_place_in_loop, (RNG.normal(size=(3, 2)),), (0,)),
    (ex.written_through_transpose, (RNG.normal(size=(2, 3)), RNG.normal(size=(3, 2))), (0, 1)),
    (ex.transpose_filled_with_rows, (RNG.normal(size=(2, 3)), RNG.normal(size=2)), (0, 1)),
    (ex.copy_of_expression, (np.array([0.3, 1.0]),), (0,)),
    (ex.copy_of_row_written, (np.arange(6.0).reshape(3, 2) + 0.5,), (0,)),
    (ex.helper_writes_into_a_slice, (np.array([0.3, 1.0, 2.0, 3.0]),), (0,)),
    (ex.helper_writes_into_a_slice_of_the_argument, (np.array([0.3, 1.0, 2.0]),), (0,)),
    (ex.helper_fills_a_row, (np.arange(6.0).reshape(3, 2) + 0.5,), (0,)),
    (ex.helper_fills_a_temporary, (np.array([0.3, 1.0]),), (0,)),
    (ex.size_named_in_the_loop, (np.array([0.3, 1.0]), np.array([[0.5, -0.2], [0.1, 0.9]])), (0, 1)),
]
COMPILED = {"accumulate_in_helper", "helper_fills_a_row", "helper_scales_the_argument", "written_through_transpose", "add_to_row_view", "integrate_positions", "second_differences",
            "rebound_longer", "stencil", "recurrent", "newton_until_return"}


def _id(case, i):
    return f"{case[0].__name__}-{i}"


@pytest.mark.parametrize("func, args, wrt", CASES, ids=[_id(c, i) for i, c in enumerate(CASES)])
def test_plain_python_against_python_and_finite_differences(func, args, wrt):
    reverse, forward = _plain_functions(func, args, wrt)
    expected_value = func(*_copies(args))
    value, grads = _run_reverse(reverse, _copies(args))
    assert_close(value, expected_value, rtol=1e-12, what="value")
    assert_close(grads, gradient(func, args, wrt), rtol=1e-6, atol=1e-7, what="gradient")
    tangents = _tangents(args, wrt, np.random.default_rng(1))
    forward_value, directional = forward(*_copies(args), *tangents)
    assert_close(forward_value, expected_value, rtol=1e-12, what="forward value")
    expected = sum(float(np.sum(np.asarray(g) * np.asarray(t))) for g, t in zip(grads, tangents))
    assert_close(directional, expected, rtol=1e-9, atol=1e-12, what="<grad, v> against jvp")


@pytest.mark.parametrize("func, args, wrt", [c for c in CASES if c[0].__name__ in COMPILED],
                         ids=[_id(c, i) for i, c in enumerate(CASES) if c[0].__name__ in COMPILED])
def test_compiled_against_python_and_finite_differences(func, args, wrt):
    result = srcad.check_grad(func, *args, wrt=wrt)
    assert result.ok, result
    value, _ = srcad.value_and_grad(func, wrt=wrt)(*_copies(args))
    assert value == pytest.approx(func(*_copies(args)), rel=1e-12)


def test_two_layers_rebinding_the_hidden_name_have_the_last_layers_shape():
    x, W1, b1 = RNG.normal(size=5), RNG.normal(size=(8, 5)), RNG.normal(size=8)
    W2, b2 = RNG.normal(size=(3, 8)), RNG.normal(size=3)
    args = (x, W1, b1, W2, b2)
    expected = ex.two_layers(*args)
    jacobian = srcad.jacobian(ex.two_layers)(*args)
    assert jacobian.shape == (3, 5)
    value, tangent = srcad.jvp(ex.two_layers)(*args, np.ones(5))
    assert value.shape == (3,) and np.allclose(value, expected)
    step = 1e-6
    central = (ex.two_layers(x + step, *args[1:]) - ex.two_layers(x - step, *args[1:])) / (2 * step)
    assert np.allclose(tangent, central, atol=1e-6) and np.allclose(jacobian @ np.ones(5), central, atol=1e-6)


def test_an_array_that_changes_shape_in_a_loop_stops_with_its_name_and_line():
    with pytest.raises(AssertionError, match="'h' is given an array of another shape inside a loop"):
        srcad.grad(ex.shrinks_in_loop)(X6)


def test_check_grad_compares_the_value_with_the_function_run_by_python():
    result = srcad.check_grad(ex.accumulate_in_helper, X3)
    assert result.ok and result.value_error == 0.0


@pytest.mark.parametrize("func, args, text, words", [
    (ex.chosen_view_written, (X3, 1.0), "v = a if c > 0 else b", "chosen when the function runs"),
], ids=["view-chosen-at-run-time"])
def test_views_that_cannot_be_decided_are_refused_naming_the_line(func, args, text, words):
    import inspect
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(*args)
    lines, first = inspect.getsourcelines(func)
    assert info.value.construct == "view" and words in str(info.value)
    assert info.value.lineno == first + next(i for i, line in enumerate(lines) if text in line)


def test_a_layer_called_in_a_loop_is_differentiated():
    """``dense_tanh`` unpacks ``n, m = W.shape`` and makes ``np.empty(n)`` in every iteration."""
    import examples_chain as chain
    x, W, b = RNG.normal(size=3), RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3)
    value, tangent = srcad.jvp(chain.with_loop)(x, W, b, np.ones(3))
    assert np.allclose(value, chain.with_loop(x, W, b))
    step = 1e-6
    central = (chain.with_loop(x + step, W, b) - chain.with_loop(x - step, W, b)) / (2 * step)
    assert np.allclose(tangent, central, atol=1e-6)
