"""Values the reverse sweep reads back: index arrays that change, loop bounds read from arrays
that change, elements written and read back in loops, reads hoisted out of loops, helpers with
early returns."""

import numpy as np
import pytest

import srcad

import examples_mgh
import examples_recording as ex
from recording_checks import assert_plain_derivatives

X = np.array([0.3, -0.5, 0.8])

CASES = [
    (ex.swapped_index_array, (np.array([2.0, 3.0]), np.array([0, 1])), 0),
    (ex.index_from_changing_floats, (np.arange(5.0) + 1, np.array([[0.0, 1, 2], [1.0, 2, 3]])), 0),
    (ex.write_through_changing_index, (X, np.array([1, 0])), 0),
    (ex.element_read_back_in_loop, (np.array([1.5, 2.0]),), 0),
    (ex.invariant_read_in_top_level_loop, (X, 0.7), (0, 1)),
    (ex.rk4_oscillator, (np.array([1.0, 1.3]), np.array([1.0, 0.2])), (0, 1)),
    (examples_mgh.beale, (np.array([1.2, 0.4]),), 0),
    (ex.inactive_element_at_changing_index, (0.7, np.array([1.0, 2.0, 4.0]), np.array([0, 1])), 0),
    (ex.loop_bound_from_changing_array, (0.7, np.array([3, 1])), 0),
    (ex.constant_written_at_changing_index, (0.7, np.array([0, 1])), 0),
    (ex.scaled_by_own_element, (X,), 0),
    (ex.row_sums_less_corner, (np.array([[0.5, 1.5, -0.3], [0.2, -0.7, 1.1]]),), 0),
    (ex.inner_bounds_from_changing_array, (0.7, np.array([3, 2])), 0),
]
IDS = [case[0].__name__ for case in CASES]


@pytest.mark.parametrize("func, args, wrt", CASES, ids=IDS)
def test_plain_python_agrees_with_finite_differences(func, args, wrt):
    assert_plain_derivatives(func, args, wrt)


@pytest.mark.parametrize("func, args, wrt", CASES, ids=IDS)
def test_compiled_agrees_with_finite_differences(func, args, wrt):
    result = srcad.check_grad(func, *args, wrt=wrt)
    assert result.ok, result


def test_swapped_index_array_gradient():
    g = srcad.grad(ex.swapped_index_array)(np.array([2.0, 3.0]), np.array([0, 1]))
    np.testing.assert_allclose(g, [4.0, 6.0])


def test_index_arrays_that_no_longer_change_are_read_again_not_taped():
    args = (np.ones((4, 3)), X, 4)
    text = srcad.source(ex.gather_through_filled_index_array, wrt=(0, 1), args=args)
    assert "_ftape[_ftop] =" not in text and "_itape[_itop] =" not in text
    assert_plain_derivatives(ex.gather_through_filled_index_array, args, (0, 1))


def test_loops_over_an_array_whose_elements_change_keep_their_bounds_untaped():
    text = srcad.source(ex.loops_over_a_changing_array, args=(X,))
    assert "_itape[_itop] = _trips" not in text
    assert_plain_derivatives(ex.loops_over_a_changing_array, (X,))
