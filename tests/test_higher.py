"""Derivatives of derivatives: nested public transforms, hessian and hvp.

Every nesting of grad, value_and_grad, jvp and vjp either matches central
differences of the inner derivative or raises UnsupportedError (see
higher_matrix.py, run as plain Python); Hessians are symmetric and match
differences of the gradient; hvp is H @ v; a few run compiled and from @njit.
"""

import math
import os
import pathlib
import subprocess
import sys

import numba
import numpy as np
import pytest

import srcad
import examples_higher as ex

HERE = pathlib.Path(__file__).parent


def test_every_nesting_of_two_transforms_is_right_or_refused():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1",
               PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, str(HERE / "higher_matrix.py")], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    # the combinations the mechanism is there for work, not only refuse
    assert "wood           hessian, hvp: ok" in lines, out.stdout
    for expected in ("recorded_loop  grad(grad): ok", "recorded_loop  jvp(grad): ok", "newton_sqrt    jvp(vjp): ok",
                     "array_loop     jvp(grad): ok", "straight       vjp(grad): ok", "vector_valued  vjp(jvp): ok",
                     "recorded_loop  jvp(jvp): ok", "recorded_loop  grad(jvp, has_aux=True): ok"):
        assert expected in lines, out.stdout


def test_reverse_over_a_recording_adjoint_names_what_to_use():
    with pytest.raises(srcad.UnsupportedError, match="hessian"):
        srcad.vjp(srcad.grad(ex.recorded_loop))(0.4, 1.0)
    with pytest.raises(srcad.UnsupportedError, match=r"jvp\(srcad.grad"):
        srcad.grad(srcad.grad(ex.array_loop, wrt=0))(np.ones(3))


def test_grad_of_grad_compiled():
    h = 1e-5
    g = srcad.grad(ex.recorded_loop)
    second = srcad.grad(g)(0.4)
    assert math.isclose(second, (g(0.4 + h) - g(0.4 - h)) / (2 * h), rel_tol=1e-6)


def test_check_grad_checks_the_second_derivative():
    # newton_sqrt(a) = a ** 1.5: the second derivative is 0.75 / sqrt(a)
    result = srcad.check_grad(srcad.grad(ex.newton_sqrt), 2.0)
    assert result.ok
    assert math.isclose(result.gradient[0], 0.75 / math.sqrt(2.0), rel_tol=1e-8)


def test_hessian_of_a_loop_compiled_is_symmetric_and_matches_differences():
    x = np.array([-1.2, 1.0, 0.8])
    H = srcad.hessian(ex.array_while)(x)
    np.testing.assert_allclose(H, H.T, rtol=1e-12)
    g, h = srcad.grad(ex.array_while), 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        np.testing.assert_allclose(H[:, k], (g(x + e) - g(x - e)) / (2 * h), rtol=1e-5, atol=1e-4)


def test_hessian_and_hvp_from_njit_code():
    hessian, hvp = srcad.hessian(ex.rosenbrock), srcad.hvp(ex.rosenbrock)
    nested = srcad.jvp(srcad.grad(ex.rosenbrock))
    second = srcad.grad(srcad.grad(ex.recorded_loop))

    @numba.njit
    def all_four(x, v):
        return hessian(x), hvp(x, v), nested(x, v)[1], second(0.4)

    x = np.array([-1.2, 1.0, 0.8])
    v = np.array([0.5, -1.0, 2.0])
    H, hv, jv, d2 = all_four(x, v)
    assert math.isclose(d2, second(0.4), rel_tol=1e-12)
    np.testing.assert_allclose(H, hessian(x), rtol=1e-12)
    np.testing.assert_allclose(hv, H @ v, rtol=1e-10)
    np.testing.assert_allclose(jv, hv, rtol=1e-12)


def test_checked_second_derivative():
    g2 = srcad.grad(srcad.grad(ex.straight), check=True)
    h = 1e-5
    g = srcad.grad(ex.straight)
    assert math.isclose(g2(0.7), (g(0.7 + h) - g(0.7 - h)) / (2 * h), rel_tol=1e-6)


def test_hessian_source_shows_the_generated_code():
    h = srcad.hessian(ex.rosenbrock)
    h(np.ones(3))
    text = srcad.source(h)
    assert "def rosenbrock_hessian(x):" in text and "x_bar_dot" in text


def test_several_wrt_are_refused_for_hessian():
    def f(x, y):
        return x * y * y

    with pytest.raises(srcad.UnsupportedError, match="one wrt"):
        srcad.hessian(f, wrt=(0, 1))(1.0, 2.0)
    assert srcad.hessian(f, wrt=1)(1.0, 2.0) == 2.0


def test_srcad_dump_prints_the_function_after_the_named_passes(monkeypatch, capsys):
    from srcad.transform.program import PASSES

    monkeypatch.setenv("SRCAD_DUMP", "flatten,adjoint,tapes")
    srcad.source(srcad.grad(ex.newton_sqrt))
    err = capsys.readouterr().err
    assert "after pass 'flatten'" in err and "after pass 'adjoint'" in err and "after pass 'tapes'" in err
    assert "_srcad_push_f(x)" in err and "_ftape[_ftop] = x" in err   # markers, then their lowering
    assert "after pass 'normalize'" not in err
    assert [p.name for p in PASSES][:5] == ["normalize", "rebound", "casts", "views", "scalarize"]


def test_a_custom_rule_is_differentiated_again_and_a_partial_without_rule_is_refused():
    import examples_custom as custom

    g = srcad.grad(custom.uses_root, wrt=0)
    h = 1e-5
    second = srcad.grad(g, wrt=0)(1.3, 0.4)
    assert math.isclose(second, (g(1.3 + h, 0.4) - g(1.3 - h, 0.4)) / (2 * h), rel_tol=1e-6)
    with pytest.raises(srcad.UnsupportedError, match="has no rule"):
        srcad.grad(srcad.grad(custom.uses_gamma))(1.3)
