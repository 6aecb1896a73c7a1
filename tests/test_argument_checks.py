"""Tangents and cotangents are checked against what they pair with: never a read out of bounds."""

import numba
import numpy as np
import pytest

import srcad

import examples_tuples as ex

X = np.array([0.5, -1.0, 2.0])


def test_a_tangent_of_the_wrong_length_is_refused_naming_the_argument_and_shapes():
    with pytest.raises(srcad.ShapeError) as info:
        srcad.jvp(ex.norm2)(X, np.ones(4))
    message = str(info.value)
    assert "argument 0 ('x')" in message and "(4,)" in message and "(3,)" in message
    assert isinstance(info.value, ValueError) and isinstance(info.value, srcad.SrcadError)
    with pytest.raises(srcad.ShapeError, match=r"\(2,\).*\(3,\)"):
        srcad.jvp(ex.norm2)(X, np.ones(2))


@pytest.mark.parametrize("tangent, match", [
    (1.0, "must be a float array"),
    (np.ones((3, 1)), "1 dimension"),
    (np.ones(3, dtype=np.int64), "pass a float array"),
])
def test_a_tangent_of_the_wrong_kind_is_refused(tangent, match):
    with pytest.raises(srcad.ShapeError, match=match):
        srcad.jvp(ex.norm2)(X, tangent)


def test_a_scalar_argument_takes_a_scalar_tangent():
    with pytest.raises(srcad.ShapeError, match="argument 1 \\('k'\\) must be a scalar"):
        srcad.jvp(ex.scaled_and_norm, wrt=(0, 1))(X, 1.5, np.ones(3), np.ones(3))
    assert srcad.jvp(ex.scaled_and_norm, wrt=1)(X, 1.5, 1)[1][0] == pytest.approx(X)
    assert srcad.jvp(ex.scaled_and_norm, wrt=1)(X, 1.5, np.array(2.0))[1][0] == pytest.approx(2.0 * X)
    assert srcad.vjp(ex.norm2)(X, np.array(0.5))[1] == pytest.approx(X)


def test_a_cotangent_must_match_the_result():
    with pytest.raises(srcad.ShapeError, match=r"cotangent has shape \(4,\), expected \(3,\)"):
        srcad.vjp(ex.spread)(X, np.ones(4))
    with pytest.raises(srcad.ShapeError, match="must be a scalar"):
        srcad.vjp(ex.norm2)(X, np.ones(3))
    with pytest.raises(srcad.ShapeError, match="1 dimension"):
        srcad.vjp(ex.spread)(X, np.ones((3, 1)))
    with pytest.raises(srcad.ShapeError, match=r"part 0 of the result has shape \(2,\), expected \(3,\)"):
        srcad.vjp(ex.scaled_and_norm)(X, 1.5, (np.ones(2), 1.0))
    np.testing.assert_allclose(srcad.vjp(ex.spread)(X, np.ones(3))[1], 2.0 * np.ones(3))


jvp_norm2 = srcad.jvp(ex.norm2)
vjp_spread = srcad.vjp(ex.spread)


@numba.njit
def _push(x, v):
    return jvp_norm2(x, v)


@numba.njit
def _pull(x, w):
    return vjp_spread(x, w)


def test_numba_callers_get_the_same_checks():
    assert _push(X, np.ones(3))[1] == pytest.approx(2.0 * np.sum(X))
    with pytest.raises(srcad.ShapeError, match=r"argument 0 \('x'\) has shape \(4,\), expected \(3,\)"):
        _push(X, np.ones(4))
    with pytest.raises(srcad.ShapeError, match=r"cotangent has shape \(5,\), expected \(3,\)"):
        _pull(X, np.ones(5))
    with pytest.raises(srcad.ShapeError, match="1 dimension"):
        _push(X, np.ones((3, 1)))
    with pytest.raises(srcad.ShapeError, match="float array"):
        _pull(X, 1.0)


def test_an_int_array_argument_is_told_to_be_a_float_array():
    with pytest.raises(srcad.SrcadError, match="argument 0 \\('x'\\).*int.*pass a float array"):
        srcad.grad(ex.norm2)(np.array([1, 2, 3]))


def test_check_grad_with_int_arguments_says_to_pass_floats():
    with pytest.raises(srcad.SrcadError, match=r"\(int, int\); pass floats: argument 0 is the int 2, pass 2.0"):
        srcad.check_grad(ex.polar, 2, 1)
    with pytest.raises(srcad.SrcadError, match="argument 0 is an int64 array, pass a float array"):
        srcad.check_grad(ex.norm2, np.array([1, 2, 3]))
