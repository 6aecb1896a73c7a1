"""Arrays made in loops, and arrays returned by called functions, reuse one buffer."""

import numpy as np
import pytest

import srcad

import examples_buffers as ex

X = np.array([0.3, -0.2, 0.9])


@pytest.mark.parametrize("func", [ex.total, ex.in_loop, ex.fresh_each_time])
def test_against_finite_differences(func):
    result = srcad.check_grad(func, X)
    assert result.ok, result


def test_an_array_whose_size_changes_in_the_loop_is_refused():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.growing)(X)
    assert "size" in str(info.value) and info.value.construct == "array variable"
