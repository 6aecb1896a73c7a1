"""Views alias what they view, in value and in adjoint, or are refused."""

import inspect

import numpy as np
import pytest

import srcad

import examples_views as ex
from recording_checks import assert_plain_derivatives

A = np.array([0.4, -1.3, 2.0])
M = np.array([[0.5, 1.5], [-0.2, 0.7], [1.1, -0.6]])
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])

CASES = [
    (ex.write_through_alias, (0.7,), 0),
    (ex.write_through_slice_of_copy, (0.7, A), (0, 1)),
    (ex.write_row_in_loop, (0.7,), 0),
    (ex.scale_rows, (0.7, A[:2].copy()), (0, 1)),
    (ex.read_rows_of_argument, (M, 0.5), (0, 1)),
    (ex.slice_of_slice, (0.7,), 0),
    (ex.transposed, (0.7,), 0),
    (ex.alias_then_base_rebound, (0.7,), 0),
    (ex.helper_returns_one_of_two, (A, -A), (0, 1)),
    (ex.helper_returns_one_of_two, (-A, A), (0, 1)),
    (ex.row_used_after_loop, (M, 0.5), (0, 1)),
    (ex.helper_reads_rows, (M, 0.5), (0, 1)),
    (ex.subscript_of_subscript, (M, 0.5), (0, 1)),
    (ex.slice_with_variable_bounds, (0.7, 2), 0),
    (ex.slice_with_variable_bounds, (0.7, -3), 0),
    (ex.slice_from_the_end, (0.7,), 0),
    (ex.euler_with_early_return, (1.3, np.array([1.0, 0.5])), (0, 1)),
    (ex.column, (0.7,), 0),
    (ex.strided_block, (0.7,), 0),
    (ex.row_bound_in_loop, (0.7, A), (0, 1)),
    (ex.transposed_block, (0.7,), 0),
    (ex.helper_fills_and_returns_from_two_places, (np.array([0.4, -1.3, 2.0, 0.9]),), 0),
    (ex.loops_over_a_slice, (0.7,), 0),
    (ex.zipped_rows, (M, 2.0 * M, 1.5), (0, 1, 2)),
    (ex.read_transpose_result, (0.7, M[:2].copy()), (0, 1)),
    (ex.gauss_seidel, (SPD, np.array([1.0, 2.0, 3.0])), (0, 1)),
    (ex.cholesky_log_determinant, (SPD,), 0),
    (ex.write_into_transpose_result, (0.7,), 0),
]
IDS = [f"{case[0].__name__}-{i}" for i, case in enumerate(CASES)]


@pytest.mark.parametrize("func, args, wrt", CASES, ids=IDS)
def test_plain_python_agrees_with_numpy_and_finite_differences(func, args, wrt):
    assert_plain_derivatives(func, args, wrt)


@pytest.mark.parametrize("func, args, wrt", CASES[:5], ids=IDS[:5])
def test_compiled_agrees_with_finite_differences(func, args, wrt):
    result = srcad.check_grad(func, *args, wrt=wrt)
    assert result.ok, result


def test_write_through_alias_value_and_gradient():
    value, grad = srcad.value_and_grad(ex.write_through_alias)(0.7)
    assert value == pytest.approx(2.2) and grad == pytest.approx(3.0)
    value, grad = srcad.value_and_grad(ex.write_through_slice_of_copy)(0.7, np.ones(3))
    assert value == pytest.approx(2.8) and grad == pytest.approx(4.0)


def test_a_view_whose_base_is_bound_to_a_new_array_keeps_the_old_one():
    """``w = a; a = a * 2.0; w[0] = 5.0``: ``w`` is the old array, which no name but ``w`` reads any more."""
    value, grad = srcad.value_and_grad(ex.written_after_base_rebound)(0.7)
    assert value == pytest.approx(ex.written_after_base_rebound(0.7)) and grad == pytest.approx(2.0)


def _line_of(func, text):
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("func, text", [
    (ex.view_rebound, "w = a\n"),
    (ex.index_changed_after_binding, "w = m[i]"),
    (ex.too_many_indices, "w = m[0]"),
    (ex.write_through_reversed_view, "w = a[::-1]"),
])
def test_views_that_cannot_be_followed_are_refused(func, text):
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(0.7)
    assert info.value.construct == "view"
    assert info.value.lineno == _line_of(func, text)
    assert "examples_views.py" in str(info.value)


def test_a_helper_returning_an_argument_written_later_is_refused():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.chosen_then_written)(A, -A)
    assert info.value.construct == "view"
    assert "returned here is" in str(info.value)
