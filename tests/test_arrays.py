"""Arrays: element reads and writes, local arrays, 2-D subscripts, loops over arrays."""

import inspect

import numpy as np
import pytest

import srcad

import examples_arrays as ex

X = np.array([0.3, -0.5, 0.8, 1.1])
W = np.array([1.0, 2.0, -1.0, 0.5])
A = np.arange(12.0).reshape(3, 4) / 10

CASES = [
    (ex.cumsum_sq, (X,)),
    (ex.overwrite, (X, 3)),
    (ex.overwrite, (X, 0)),
    (ex.matvec, (A, X)),
    (ex.iterate, (X, W)),
    (ex.aug, (X,)),
    (ex.scaled_by_inactive_buffer, (X,)),
    (ex.triangular, (np.linspace(0.5, 1.5, 10), X)),
    (ex.created_in_loop, (X,)),
    (ex.sliced, (X,)),
    (ex.reversed_slice, (X,)),
]


@pytest.mark.parametrize("func, args", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_reverse_and_forward_agree_with_finite_differences(func, args):
    result = srcad.check_grad(func, *args)
    assert result.ok, result


def test_gradient_has_the_argument_shape_and_dtype():
    g = srcad.grad(ex.matvec, wrt=(0, 1))(A, X)
    assert g[0].shape == A.shape and g[1].shape == X.shape
    assert g[0].dtype == np.float64


def test_float32_local_array():
    x = X.astype(np.float32)
    g = srcad.grad(ex.float32_sum)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * x, rtol=1e-6)


def test_ignored_input_gets_exact_zeros():
    g = srcad.grad(ex.ignores_input, wrt=(0, 1))(X, W)
    assert np.array_equal(g[0], np.zeros_like(X))
    np.testing.assert_allclose(g[1], 2 * W)


def test_inputs_are_not_modified():
    x = X.copy()
    srcad.grad(ex.overwrite)(x, 3)
    srcad.jvp(ex.overwrite)(x, 3, np.ones_like(x))
    assert np.array_equal(x, X)


def _line_of(func, text):
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("func, args, text, construct", [
    (ex.slice_with_unknown_step, (X, 2), "x[::k]", "slice step"),
])
def test_refusals_name_file_line_and_construct(func, args, text, construct):
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(*args)
    err = info.value
    assert err.lineno == _line_of(func, text)
    assert err.construct == construct
    assert "examples_arrays.py" in str(err)


def test_integer_increments_are_undone_not_taped():
    text = srcad.source(ex.triangular, wrt=(0, 1), args=(np.ones(10), X))
    assert "p = p - 1" in text
    assert text.count("_itape[_itop] = p\n") == 1   # only the initial p = 0 is taped


def test_reads_hoisted_out_of_loops_only_happen_when_the_loop_runs():
    from srcad.analysis import ArrayType
    from srcad.api import Transformation

    text = srcad.source(ex.hoist_guard, args=(X,))
    assert "if range_len(i, n, 1) > 0:" in text
    # as plain Python, an out-of-bounds read raises instead of reading past the buffer
    rev = Transformation(ex.hoist_guard, "value_and_grad", 0).specialize((ArrayType("float64", 1),))
    value, grad, fneeded, ineeded = rev.functions["main"].py_func(X, 1.0, np.empty(1000), np.empty(1000, np.int64))
    assert value == pytest.approx(ex.hoist_guard(X))
    assert srcad.check_grad(ex.hoist_guard, X).ok
