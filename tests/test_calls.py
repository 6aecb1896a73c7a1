"""Calls to the user's own functions are inlined and differentiated with the caller."""

import inspect

import numpy as np
import pytest

import srcad

import examples_calls as ex

A = np.arange(6.0).reshape(2, 3) / 7
V = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("func, args", [
    (ex.caller, (0.7, -0.4)),
    (ex.caller, (-0.7, 0.4)),
    (ex.caller, (3.0, 0.1)),
    (ex.dot_rows, (A, V)),
    (ex.newton, (2.0,)),
    (ex.newton, (0.3,)),
    (ex.step, (0.5, 6)),
    (ex.step, (-0.5, 6)),
    (ex.called_twice_in_loop, (0.3, 4)),
    (ex.uses_tuple_result, (0.8,)),
])
def test_calls_against_finite_differences(func, args):
    result = srcad.check_grad(func, *args)
    assert result.ok, result


def test_njit_callee_and_value():
    value, g = srcad.value_and_grad(ex.caller, wrt=(0, 1))(0.7, -0.4)
    assert value == pytest.approx(ex.caller(0.7, -0.4), rel=1e-14)


def test_generated_source_names_the_callee_lines():
    text = srcad.source(ex.newton)
    assert "# resid() line" in text
    assert "return x * x - a" in text


def _line_of(func, text):
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


def test_recursion_is_refused_at_the_call():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.rec)(3.0)
    assert info.value.lineno == _line_of(ex.rec, "return rec(")
    assert "recursive" in str(info.value)


def test_wrong_number_of_arguments_is_refused():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.wrong_arity)(3.0)
    assert info.value.lineno == _line_of(ex.wrong_arity, "sq(x, x)")
