"""Tuples as wrt arguments: derivatives come back with the tuple's structure (srcad/api/packing.py)."""

import os
import subprocess
import sys

import numba
import numpy as np
import pytest

import srcad

import examples_tuple_wrt as ex
import fd

W = np.array([0.5, -1.0, 2.0])
XS = np.array([1.5, 0.25, -0.75])


def _element_derivative(f, args, i, k, index=None):
    """d f(*args) / d args[i][k] (at ``index`` of an array element) by finite differences."""
    def moved(v):
        element = v
        if index is not None:
            element = args[i][k].copy()
            element[index] = v
        parts = list(args[i])
        parts[k] = element
        return f(*args[:i], tuple(parts), *args[i + 1:])

    start = args[i][k] if index is None else args[i][k][index]
    return fd.derivative(moved, start)


def test_grad_of_a_tuple_of_floats_is_a_tuple():
    g = srcad.grad(ex.affine, wrt=0)((1.0, 2.0), 3.0)
    assert isinstance(g, tuple) and len(g) == 2
    for k in range(2):
        assert g[k] == pytest.approx(_element_derivative(ex.affine, ((1.0, 2.0), 3.0), 0, k), rel=1e-8)
    p = (0.5, -1.5, 2.0)
    g = srcad.grad(ex.indexed, wrt=0)(p, 0.3)
    for k in range(3):
        assert g[k] == pytest.approx(_element_derivative(ex.indexed, (p, 0.3), 0, k), rel=1e-8)


def test_a_tuple_beside_a_float_wrt_and_ints_taken_as_floats():
    (ga, gb), gx = srcad.grad(ex.affine, wrt=(0, 1))((1, 2.0), 3.0)
    assert (ga, gb, gx) == pytest.approx((3.0, 4.0, 1.0), rel=1e-14)
    gx, (ga, gb) = srcad.grad(ex.affine, wrt=(1, 0))((1.0, 2.0), 3.0)
    assert (gx, ga, gb) == pytest.approx((1.0, 3.0, 4.0), rel=1e-14)
    value, (ga, gb) = srcad.value_and_grad(ex.affine, wrt=0)((1.0, 2.0), 3.0)
    assert (value, ga, gb) == pytest.approx((7.0, 3.0, 4.0), rel=1e-14)


def test_has_aux_with_a_tuple_wrt():
    (ga, gb), aux = srcad.grad(ex.loss_and_parts, wrt=0, has_aux=True)((1.5, 2.0), 3.0)
    assert (ga, gb, aux) == pytest.approx((9.0, 1.0, 3.5), rel=1e-14)
    (value, aux), (ga, gb) = srcad.value_and_grad(ex.loss_and_parts, wrt=0, has_aux=True)((1.5, 2.0), 3.0)
    assert (value, aux, ga, gb) == pytest.approx((8.75, 3.5, 9.0, 1.0), rel=1e-14)


def test_a_tuple_of_an_array_and_a_float():
    args = ((W, 1.5), XS)
    gw, gb = srcad.grad(ex.weighted, wrt=0)(*args)
    assert isinstance(gw, np.ndarray) and gw.shape == W.shape
    for j in range(3):
        assert gw[j] == pytest.approx(_element_derivative(ex.weighted, args, 0, 0, j), rel=1e-8)
    assert gb == pytest.approx(_element_derivative(ex.weighted, args, 0, 1), rel=1e-8)


def test_jvp_and_vjp_of_a_tuple_agree_with_differences_and_each_other():
    args = ((W, 1.5), XS)
    v = (np.array([0.2, -1.0, 0.5]), 0.7)
    value, tangent = srcad.jvp(ex.prediction, wrt=0)(*args, v)
    np.testing.assert_allclose(value, ex.prediction(*args), rtol=1e-15)
    h = 1e-6
    plus = ex.prediction((W + h * v[0], 1.5 + h * v[1]), XS)
    minus = ex.prediction((W - h * v[0], 1.5 - h * v[1]), XS)
    np.testing.assert_allclose(tangent, (plus - minus) / (2 * h), rtol=1e-7)
    u = np.array([1.0, -2.0, 0.5])
    value, (cw, cb) = srcad.vjp(ex.prediction, wrt=0)(*args, u)
    np.testing.assert_allclose(value, ex.prediction(*args), rtol=1e-15)
    # <u, J v> forward == <J^T u, v> reverse
    assert float(np.dot(u, tangent)) == pytest.approx(float(np.dot(cw, v[0]) + cb * v[1]), rel=1e-13)


def test_jvp_needs_a_tangent_tuple_of_the_same_length():
    fj = srcad.jvp(ex.affine, wrt=0)
    assert fj((1.0, 2.0), 3.0, (1.0, 1.0)) == pytest.approx((7.0, 7.0), rel=1e-14)
    with pytest.raises(srcad.ShapeError, match=r"tangent of argument 0 \('p'\) must be a tuple of 2.*got float"):
        fj((1.0, 2.0), 3.0, 1.0)
    with pytest.raises(srcad.ShapeError, match="must be a tuple of 2.*got a tuple of 3"):
        fj((1.0, 2.0), 3.0, (1.0, 1.0, 0.0))


@pytest.mark.parametrize("jacobian", [srcad.jacobian, srcad.jacfwd, srcad.jacrev])
def test_jacobian_of_a_tuple_is_a_tuple_of_jacobians(jacobian):
    args = ((W, 1.5), XS)
    jw, jb = jacobian(ex.prediction, wrt=0)(*args)
    np.testing.assert_allclose(jw, np.diag(XS), rtol=1e-15)
    np.testing.assert_allclose(jb, np.ones(3), rtol=1e-15)


def test_tuple_read_by_a_loop_and_passed_to_a_helper():
    p = (0.5, -1.5)
    g = srcad.grad(ex.through_a_call, wrt=0)(p, 0.3)
    for k in range(2):
        assert g[k] == pytest.approx(_element_derivative(ex.through_a_call, (p, 0.3), 0, k), rel=1e-8)


_grad_affine = srcad.grad(ex.affine, wrt=0)
_jvp_affine = srcad.jvp(ex.affine, wrt=(0, 1))
_vjp_prediction = srcad.vjp(ex.prediction, wrt=0)
_value_and_grad_weighted = srcad.value_and_grad(ex.weighted, wrt=(1, 0))


@numba.njit
def _from_numba(p, x, q, xs, u):
    return _grad_affine(p, x), _jvp_affine(p, x, (1.0, 0.5), 2.0), _vjp_prediction(q, xs, u), \
        _value_and_grad_weighted(q, xs)


@numba.njit
def _bad_tangent(p, x):
    return _jvp_affine(p, x, 1.0, 2.0)


def test_tuple_wrt_from_numba():
    u = np.array([1.0, -2.0, 0.5])
    g, (value, tangent), (pv, (cw, cb)), (wv, (gx, (gw, gb))) = _from_numba((1.0, 2.0), 3.0, (W, 1.5), XS, u)
    assert g == pytest.approx((3.0, 4.0), rel=1e-14)
    assert (value, tangent) == pytest.approx((7.0, 3.0 + 2.0 + 2.0), rel=1e-14)
    want_value, (want_cw, want_cb) = _vjp_prediction((W, 1.5), XS, u)
    np.testing.assert_allclose(pv, want_value, rtol=1e-15)
    np.testing.assert_allclose(cw, want_cw, rtol=1e-15)
    assert cb == pytest.approx(want_cb, rel=1e-15)
    assert wv == pytest.approx(ex.weighted((W, 1.5), XS), rel=1e-15)
    np.testing.assert_allclose(gx, W, rtol=1e-15)
    np.testing.assert_allclose(gw, XS, rtol=1e-15)
    assert gb == pytest.approx(3.0, rel=1e-15)
    with pytest.raises(Exception, match=r"tangent of argument 0 \('p'\) must be a tuple of 2"):
        _bad_tangent((1.0, 2.0), 3.0)


@pytest.mark.parametrize("kind, extra", [(srcad.hessian, ()), (srcad.hvp, ((1.0, 0.0),))])
def test_hessian_and_hvp_of_a_tuple_are_refused(kind, extra):
    with pytest.raises(srcad.UnsupportedError, match=r"argument 0 \('p'\), a tuple.*pass its elements"):
        kind(ex.affine, wrt=0)((1.0, 2.0), 3.0, *extra)


def test_nested_empty_and_bool_tuples_are_refused():
    with pytest.raises(srcad.UnsupportedError, match="empty tuple"):
        srcad.grad(ex.affine, wrt=0)((), 3.0)
    with pytest.raises(srcad.UnsupportedError, match="a tuple with a tuple inside"):
        srcad.grad(ex.indexed, wrt=0)(((1.0, 2.0), 2.0, 3.0), 0.5)
    with pytest.raises(srcad.UnsupportedError, match="bool"):
        srcad.grad(ex.affine, wrt=0)((True, 2.0), 3.0)


def test_source_of_a_tuple_wrt_names_its_elements():
    text = srcad.source(ex.affine, args=((1.0, 2.0), 3.0))
    assert "With respect to: p_0, p_1." in text
    assert "def affine_rev(p_0, p_1, x, _seed):" in text
    g = srcad.grad(ex.affine, wrt=0)
    g((1.0, 2.0), 3.0)
    assert srcad.source(g) == srcad.source(g, args=((1.0, 2.0), 3.0)) == text


def test_check_mode_checks_the_elements():
    assert srcad.grad(ex.weighted, wrt=0, check=True)((W, 1.5), XS)[1] == pytest.approx(3.0, rel=1e-14)


def test_plain_python_without_numba_compiling():
    # NUMBA_DISABLE_JIT=1 runs the generated code and the @njit caller as Python
    script = ("import numpy as np, test_tuple_wrt as t; t.test_tuple_wrt_from_numba(); "
              "t.test_jvp_and_vjp_of_a_tuple_agree_with_differences_and_each_other(); print('ok')")
    here = os.path.dirname(__file__)
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1",
           "PYTHONPATH": os.pathsep.join([here, os.path.dirname(here), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], cwd=here, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_a_derivative_of_a_derivative_with_respect_to_a_tuple_is_refused():
    g = srcad.grad(ex.affine, wrt=0)
    with pytest.raises(srcad.UnsupportedError, match="derivative with respect to a tuple is not supported yet"):
        srcad.jvp(g, wrt=0)((1.0, 2.0), 3.0, (1.0, 1.0))
    with pytest.raises(srcad.UnsupportedError, match="nor by a derivative of a derivative"):
        srcad.jvp(g, wrt=1)((1.0, 2.0), 3.0, 1.0)


def test_forward_grad_of_a_tuple_has_its_structure_and_the_gradient_as_mean():
    fg = srcad.forward_grad(ex.weighted, wrt=0, seed=0)
    total_w, total_b, count = np.zeros(3), 0.0, 2000
    for _ in range(count):
        gw, gb = fg((W, 1.5), XS)
        total_w += gw
        total_b += gb
    # unbiased: the mean of the estimates tends to the gradient (XS, 2 * 1.5)
    np.testing.assert_allclose(total_w / count, XS, atol=0.15)
    assert total_b / count == pytest.approx(3.0, abs=0.3)


def test_check_grad_takes_a_tuple_argument_element_by_element():
    result = srcad.check_grad(ex.weighted, (W, 1.5), XS, wrt=(0, 1))
    assert result.ok, result
    (gw, gb), gx = result.gradient
    np.testing.assert_allclose(gw, XS, rtol=1e-14)
    assert gb == pytest.approx(3.0, rel=1e-14)
    (nw, nb), nx = result.numeric
    np.testing.assert_allclose(nw, XS, rtol=1e-6)
    np.testing.assert_allclose(nx, W, rtol=1e-6)


_grad_aux = srcad.grad(ex.loss_and_parts, wrt=0, has_aux=True)
_value_and_grad_aux = srcad.value_and_grad(ex.loss_and_parts, wrt=(1, 0), has_aux=True)
_jacobians = srcad.jacobian(ex.prediction, wrt=(0, 1))


@numba.njit
def _aux_from_numba(p, x, q, xs):
    return _grad_aux(p, x), _value_and_grad_aux(p, x), _jacobians(q, xs)


def test_has_aux_and_jacobians_of_a_tuple_from_numba():
    (grads, aux), ((value, aux2), (gx, grads2)), ((jw, jb), jx) = _aux_from_numba((1.5, 2.0), 3.0, (W, 1.5), XS)
    assert (grads, aux, value, aux2, gx, grads2) == ((9.0, 1.0), 3.5, 8.75, 3.5, 2.25, (9.0, 1.0))
    np.testing.assert_allclose(jw, np.diag(XS), rtol=1e-15)
    np.testing.assert_allclose(jb, np.ones(3), rtol=1e-15)
    np.testing.assert_allclose(jx, np.diag(W), rtol=1e-15)
