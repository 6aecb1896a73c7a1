"""Functions returning tuples: jvp and vjp treat each part as an output; grad needs has_aux."""

import math

import numba
import numpy as np
import pytest

import srcad

import examples_tuples as ex
import fd

X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
Y = np.array([1.0, -2.0, 0.5])
W = np.array([0.3, -0.7])


def _directional(f, args, wrt, directions, h=1e-6):
    plus, minus = list(args), list(args)
    for i, v in zip(wrt, directions):
        plus[i], minus[i] = args[i] + h * v, args[i] - h * v
    return [(np.asarray(p) - np.asarray(m)) / (2 * h) for p, m in zip(f(*plus), f(*minus))]


@pytest.mark.parametrize("func, args, wrt, directions, cotangents", [
    (ex.polar, (1.5, 0.7), (0, 1), (0.3, -1.2), (0.4, -2.0)),
    (ex.loss_and_prediction, (W, X, Y), 0, (np.array([1.0, -0.5]),), (0.7, np.array([1.0, 2.0, -1.0]))),
    (ex.stats, (np.array([0.5, -1.0, 2.0]),), 0, (np.array([0.2, 1.0, -0.3]),), (1.0, -0.5, 2.0)),
    (ex.scaled_and_norm, (np.array([0.5, -1.0, 2.0]), 1.5), (0, 1), (np.array([1.0, 0.0, 2.0]), 0.5),
     (np.array([0.3, 0.1, -1.0]), 2.0)),
])
def test_jvp_and_vjp_of_each_part_agree_with_differences(func, args, wrt, directions, cotangents):
    single = isinstance(wrt, int)
    wrt_t = (wrt,) if single else wrt
    value, tangents = srcad.jvp(func, wrt=wrt)(*args, *directions)
    expected = func(*args)
    assert isinstance(value, tuple) and isinstance(tangents, tuple) and len(tangents) == len(expected)
    for got, want in zip(value, expected):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    for got, want in zip(tangents, _directional(func, args, wrt_t, directions)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    value2, grads = srcad.vjp(func, wrt=wrt)(*args, cotangents)
    for got, want in zip(value2, expected):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    grads = (grads,) if single else grads
    # <w, J v> forward == <J^T w, v> reverse
    forward = sum(float(np.sum(np.asarray(w) * np.asarray(t))) for w, t in zip(cotangents, tangents))
    reverse = sum(float(np.sum(np.asarray(g) * np.asarray(v))) for g, v in zip(grads, directions))
    assert forward == pytest.approx(reverse, rel=1e-12, abs=1e-14)


def test_vjp_of_one_part_is_the_gradient_of_that_part():
    g_r = srcad.vjp(ex.polar, wrt=(0, 1))(1.5, 0.7, (1.0, 0.0))[1]
    g_t = srcad.vjp(ex.polar, wrt=(0, 1))(1.5, 0.7, (0.0, 1.0))[1]
    assert g_r == pytest.approx((math.cos(0.7), -1.5 * math.sin(0.7)), rel=1e-14)
    assert g_t == pytest.approx((math.sin(0.7), 1.5 * math.cos(0.7)), rel=1e-14)


def test_an_integer_part_has_a_zero_tangent_and_its_cotangent_is_ignored():
    for x in (0.8, -0.8):
        (value, sign), (tangent, sign_tangent) = srcad.jvp(ex.signed_parts)(x, 1.0)
        assert (value, sign) == ex.signed_parts(x)
        assert tangent == pytest.approx(fd.derivative(lambda s: ex.signed_parts(s)[0], x))
        assert sign_tangent == 0.0
        assert srcad.vjp(ex.signed_parts)(x, (1.0, 5.0))[1] == pytest.approx(tangent)


def test_grad_of_a_tuple_refuses_and_points_at_has_aux():
    with pytest.raises(srcad.UnsupportedError, match="has_aux=True") as info:
        srcad.grad(ex.polar)(1.5, 0.7)
    assert "examples_tuples.py" in str(info.value)
    with pytest.raises(srcad.UnsupportedError, match="has_aux=True"):
        srcad.value_and_grad(ex.polar)(1.5, 0.7)


def test_has_aux_differentiates_the_first_part_and_returns_the_rest():
    g, prediction = srcad.grad(ex.loss_and_prediction, has_aux=True)(W, X, Y)
    np.testing.assert_allclose(prediction, X @ W, rtol=1e-14)
    np.testing.assert_allclose(g, 2.0 * X.T @ (X @ W - Y), rtol=1e-12, atol=1e-12)
    (loss, prediction2), g2 = srcad.value_and_grad(ex.loss_and_prediction, has_aux=True)(W, X, Y)
    assert loss == pytest.approx(float(np.sum((X @ W - Y) ** 2)), rel=1e-14)
    np.testing.assert_allclose(prediction2, X @ W, rtol=1e-14)
    np.testing.assert_allclose(g2, g, rtol=1e-14, atol=1e-14)


def test_has_aux_with_several_aux_parts_returns_them_as_a_tuple():
    x = np.array([0.5, -1.0, 2.0])
    g, aux = srcad.grad(ex.stats, has_aux=True)(x)
    assert aux == pytest.approx(ex.stats(x)[1:])
    np.testing.assert_allclose(g, x / math.sqrt(np.sum(x * x)), rtol=1e-14)


def test_has_aux_is_refused_where_it_has_no_meaning():
    with pytest.raises(srcad.UnsupportedError, match="has_aux=True needs"):
        srcad.grad(ex.norm2, has_aux=True)(W)
    with pytest.raises(TypeError, match="has_aux"):
        srcad.jvp(ex.polar, has_aux=True)


def test_a_cotangent_tuple_of_the_wrong_length_is_refused():
    with pytest.raises(srcad.ShapeError, match="tuple of 2 cotangents"):
        srcad.vjp(ex.polar)(1.5, 0.7, (1.0, 0.0, 2.0))
    with pytest.raises(srcad.ShapeError, match="tuple of 2 cotangents"):
        srcad.vjp(ex.polar)(1.5, 0.7, 1.0)


jvp_polar = srcad.jvp(ex.polar, wrt=(0, 1))
vjp_prediction = srcad.vjp(ex.loss_and_prediction)
grad_aux = srcad.grad(ex.loss_and_prediction, has_aux=True)
value_and_grad_aux = srcad.value_and_grad(ex.stats, has_aux=True)


@numba.njit
def _from_numba(w, X, y, x):
    polar = jvp_polar(1.5, 0.7, 0.3, -1.2)
    pulled = vjp_prediction(w, X, y, (0.7, y))
    aux = grad_aux(w, X, y)
    stats = value_and_grad_aux(x)
    return polar, pulled, aux, stats


def test_tuple_results_from_numba():
    x = np.array([0.5, -1.0, 2.0])
    polar, pulled, aux, stats = _from_numba(W, X, Y, x)
    assert polar[0] == pytest.approx(jvp_polar(1.5, 0.7, 0.3, -1.2)[0], rel=1e-14)
    assert polar[1] == pytest.approx(jvp_polar(1.5, 0.7, 0.3, -1.2)[1], rel=1e-14)
    np.testing.assert_allclose(pulled[1], vjp_prediction(W, X, Y, (0.7, Y))[1], rtol=1e-14)
    np.testing.assert_allclose(aux[0], grad_aux(W, X, Y)[0], rtol=1e-14)
    np.testing.assert_allclose(aux[1], X @ W, rtol=1e-14)
    (value, rest), g = stats
    assert value == pytest.approx(ex.stats(x)[0], rel=1e-14)
    assert rest == pytest.approx(ex.stats(x)[1:], rel=1e-14)
    np.testing.assert_allclose(g, value_and_grad_aux(x)[1], rtol=1e-14)


def test_early_returns_of_tuples_in_a_loop():
    x = np.array([0.1, 0.7, 0.3])
    (value, index), (tangent, index_tangent) = srcad.jvp(ex.first_above)(x, 0.5, np.array([1.0, 2.0, 3.0]))
    assert (value, index) == ex.first_above(x, 0.5)
    assert tangent == pytest.approx(2.0 * 0.7 * 2.0) and index_tangent == 0.0
    g, index = srcad.grad(ex.first_above, has_aux=True)(x, 0.5)
    np.testing.assert_allclose(g, [0.0, 1.4, 0.0], rtol=1e-14)
    assert index == 1
    assert srcad.grad(ex.first_above, has_aux=True)(x, 0.9) == (pytest.approx(np.zeros(3)), -1)


def test_returning_the_tuple_of_a_call():
    value, tangents = srcad.jvp(ex.polar_of_square, wrt=(0, 1))(1.2, 0.5, 1.0, 0.0)
    assert value == pytest.approx(ex.polar(1.44, 0.5), rel=1e-14)
    assert tangents == pytest.approx((2.4 * math.cos(0.5), 2.4 * math.sin(0.5)), rel=1e-14)


def test_returns_of_different_lengths_are_refused():
    with pytest.raises(srcad.UnsupportedError, match="same length"):
        srcad.jvp(ex.mixed_returns)(1.0, 1.0)


def test_a_part_that_does_not_depend_on_wrt_has_a_zero_tangent_of_its_shape():
    x = np.array([0.5, -1.0, 2.0])
    (doubled, square), (tangent, square_tangent) = srcad.jvp(ex.doubled_and_square, wrt=1)(x, 1.5, 1.0)
    assert isinstance(tangent, np.ndarray) and tangent.shape == (3,) and not tangent.any()
    assert square_tangent == pytest.approx(3.0)
    assert srcad.vjp(ex.doubled_and_square, wrt=1)(x, 1.5, (np.ones(3), 2.0))[1] == pytest.approx(6.0)
