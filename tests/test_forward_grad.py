"""forward_grad: unbiased (its mean converges to the gradient), reproducible, and callable from @njit.

For v ~ N(0, I) over all differentiated entries, the estimate (g . v) v has mean g
and Var[(g . v) v_i] = |g|^2 + g_i^2, so the mean of N estimates averaged over k
directions each lies within 5 standard errors sqrt((|g|^2 + g_i^2) / (N k)) of g_i
(for fixed seeds the test is deterministic; 5 standard errors fail by chance with
probability below 1e-6 per entry).
"""

import numba
import numpy as np
import pytest

import srcad

from examples_forward_grad import (array_objective, array_valued, cubic, loop_objective, pair_valued,
                                   scalar_objective, with_count)

X = np.array([0.3, -1.2, 0.8, 2.0, -0.4, 1.1])
A = np.array([[0.5, -1.0, 0.2], [1.5, 0.1, -0.7]])


def _parts(value, single):
    return [np.asarray(value, dtype=float)] if single else [np.asarray(p, dtype=float) for p in value]


def assert_unbiased(estimator, gradient, args, samples, k=1, single=True):
    """The mean of ``samples`` calls of ``estimator(*args)`` is within 5 standard errors of ``gradient``."""
    exact = _parts(gradient, single)
    squared_norm = sum(float(np.sum(g * g)) for g in exact)
    totals = [np.zeros_like(g) for g in exact]
    for _ in range(samples):
        for total, part in zip(totals, _parts(estimator(*args), single)):
            total += part
    for total, g in zip(totals, exact):
        mean = total / samples
        standard_error = np.sqrt((squared_norm + g * g) / (samples * k))
        assert np.all(np.abs(mean - g) <= 5.0 * standard_error), (mean, g, standard_error)
        # the estimate is not the gradient itself: the test would pass vacuously if it were
        assert not np.allclose(mean, g, rtol=1e-9, atol=0.0)


def test_the_mean_converges_to_the_gradient_of_a_loop():
    gradient = srcad.grad(loop_objective)(X, 1.3)
    assert_unbiased(srcad.forward_grad(loop_objective, seed=1), gradient, (X, 1.3), samples=3000)


def test_the_mean_converges_to_the_gradient_of_array_expressions():
    gradient = srcad.grad(array_objective)(A)
    fg = srcad.forward_grad(array_objective, seed=2)
    assert fg(A).shape == A.shape
    assert_unbiased(fg, gradient, (A,), samples=3000)


def test_averaging_k_directions_divides_the_variance():
    gradient = srcad.grad(loop_objective)(X, 1.3)
    assert_unbiased(srcad.forward_grad(loop_objective, seed=3, k=16), gradient, (X, 1.3), samples=300, k=16)


def test_tuple_wrt_gives_one_estimate_per_argument_from_one_joint_direction():
    gradient = srcad.grad(loop_objective, wrt=(0, 1))(X, 1.3)
    fg = srcad.forward_grad(loop_objective, wrt=(0, 1), seed=4)
    estimate = fg(X, 1.3)
    assert isinstance(estimate, tuple) and estimate[0].shape == X.shape and np.ndim(estimate[1]) == 0
    assert_unbiased(fg, gradient, (X, 1.3), samples=3000, single=False)
    scalars = srcad.forward_grad(scalar_objective, wrt=(0, 1), seed=5)
    assert_unbiased(scalars, srcad.grad(scalar_objective, wrt=(0, 1))(0.7, -1.5), (0.7, -1.5), samples=3000,
                    single=False)


def test_the_estimate_is_the_directional_derivative_times_the_direction():
    """Exactly: k directions drawn from the seeded generator, the x block (direction j at [..., j]) then the
    scale block, all carried by one vector-mode tangent sweep."""
    k = 3
    estimate_x, estimate_scale = srcad.forward_grad(loop_objective, wrt=(0, 1), seed=6, k=k)(X, 1.3)
    rng = np.random.default_rng(6)
    directions_x, directions_scale = rng.standard_normal(X.shape + (k,)), rng.standard_normal(k)
    tangent = srcad.jvp(loop_objective, wrt=(0, 1))
    slopes = [tangent(X, 1.3, np.ascontiguousarray(directions_x[:, j]), directions_scale[j])[1] for j in range(k)]
    assert np.allclose(estimate_x, sum(s * directions_x[:, j] for j, s in enumerate(slopes)) / k,
                       rtol=1e-12, atol=1e-12)
    assert estimate_scale == pytest.approx(sum(s * d for s, d in zip(slopes, directions_scale)) / k, rel=1e-12)
    one_x, one_scale = srcad.forward_grad(loop_objective, wrt=(0, 1), seed=6)(X, 1.3)
    rng = np.random.default_rng(6)
    direction_x, direction_scale = rng.standard_normal(X.shape), rng.standard_normal()
    slope = tangent(X, 1.3, direction_x, direction_scale)[1]
    assert np.allclose(one_x, slope * direction_x, rtol=1e-12, atol=1e-12)
    assert one_scale == pytest.approx(slope * direction_scale, rel=1e-12)


def test_a_seed_makes_the_estimates_reproducible():
    first, second = srcad.forward_grad(array_objective, seed=7), srcad.forward_grad(array_objective, seed=7)
    draws = [first(A) for _ in range(3)]
    assert all(np.array_equal(a, second(A)) for a in draws)
    assert not np.array_equal(draws[0], draws[1])   # a fresh direction on every call
    shared = np.random.default_rng(8)
    one, other = srcad.forward_grad(array_objective, seed=shared), srcad.forward_grad(array_objective, seed=shared)
    from_shared = [one(A), other(A)]
    again = np.random.default_rng(8)
    replay = srcad.forward_grad(array_objective, seed=again)
    assert all(np.array_equal(a, replay(A)) for a in from_shared)


def _njit_mean(fg):
    @numba.njit
    def mean(x, scale, samples, seed):
        np.random.seed(seed)
        total = np.zeros_like(x)
        for _ in range(samples):
            total += fg(x, scale)
        return total / samples

    return mean


def test_callable_from_njit_code():
    fg = srcad.forward_grad(loop_objective, seed=9)
    mean = _njit_mean(fg)
    samples = 3000
    gradient = srcad.grad(loop_objective)(X, 1.3)
    estimate = mean(X, 1.3, samples, 10)
    standard_error = np.sqrt((np.sum(gradient ** 2) + gradient ** 2) / samples)
    assert np.all(np.abs(estimate - gradient) <= 5.0 * standard_error)
    if not numba.config.DISABLE_JIT:   # compiled, the directions come from Numba's stream, seeded in the caller
        assert np.array_equal(mean(X, 1.3, 5, 11), mean(X, 1.3, 5, 11))
    assert "def loop_objective_forward_grad(x, scale, x_direction):" in srcad.source(fg)


def test_tuple_wrt_and_k_directions_from_njit_code():
    fg = srcad.forward_grad(scalar_objective, wrt=(0, 1), k=4)

    @numba.njit
    def mean(u, v, samples):
        np.random.seed(17)
        total_u, total_v = 0.0, 0.0
        for _ in range(samples):
            du, dv = fg(u, v)
            total_u += du
            total_v += dv
        return total_u / samples, total_v / samples

    samples = 2000
    gradient = np.array(srcad.grad(scalar_objective, wrt=(0, 1))(0.7, -1.5))
    standard_error = np.sqrt((np.sum(gradient ** 2) + gradient ** 2) / (samples * 4))
    assert np.all(np.abs(np.array(mean(0.7, -1.5, samples)) - gradient) <= 5.0 * standard_error)


def test_source_shows_the_tangent_and_the_estimator():
    fg = srcad.forward_grad(scalar_objective, wrt=(0, 1))
    text = srcad.source(fg)
    assert "def scalar_objective_jvp(u, v, u_dot, v_dot):" in text
    assert "def scalar_objective_forward_grad(u, v, u_direction, v_direction):" in text
    assert "slope = scalar_objective_jvp(u, v, u_direction, v_direction)[1]" in text
    eight = srcad.forward_grad(loop_objective, k=8)
    eight(X, 1.3)
    block = srcad.source(eight)
    assert "def loop_objective_jvp_block(x, scale, x_dot):" in block   # k directions in one sweep
    assert "slopes = loop_objective_jvp_block(x, scale, x_directions)[1] / k" in block
    assert "def loop_objective_jvp(" not in block


def test_what_has_no_forward_gradient_is_refused():
    with pytest.raises(srcad.UnsupportedError, match="scalar"):
        srcad.forward_grad(array_valued)(X)
    with pytest.raises(srcad.UnsupportedError, match="tuple"):
        srcad.forward_grad(pair_valued)(X)
    with pytest.raises(srcad.UnsupportedError, match="it is an int"):
        srcad.forward_grad(scalar_objective)(2, 1.0)
    with pytest.raises(srcad.UnsupportedError, match="cannot differentiate"):
        srcad.forward_grad(with_count, wrt=1)(1.0, True)
    with pytest.raises(TypeError, match="has_aux"):
        srcad.forward_grad(scalar_objective, has_aux=True)
    with pytest.raises(srcad.SrcadError, match="check=True"):
        srcad.forward_grad(scalar_objective, check=True)


@pytest.mark.parametrize("options", [{"seed": "one"}, {"seed": -1}, {"seed": 1.5}, {"k": 0}, {"k": 2.0},
                                     {"k": True}])
def test_bad_options_are_refused(options):
    with pytest.raises(srcad.SrcadError, match="seed|k "):
        srcad.forward_grad(scalar_objective, **options)


def test_options_of_forward_grad_belong_to_it_alone():
    with pytest.raises(TypeError, match="unknown option"):
        srcad.grad(scalar_objective, seed=0)


def test_srcad_check_in_the_environment_leaves_forward_grad_alone(monkeypatch):
    monkeypatch.setenv("SRCAD_CHECK", "1")
    fg = srcad.forward_grad(scalar_objective, seed=12)
    assert not fg.__srcad__.options["check"]
    assert np.isfinite(fg(0.7, -1.5))


def uses_forward_grad(x):
    return 2.0 * forward_grad_inside(x, 1.3)[0]


forward_grad_inside = srcad.forward_grad(loop_objective, seed=13)


def test_a_random_estimate_is_never_differentiated():
    with pytest.raises(srcad.UnsupportedError, match="forward_grad"):
        srcad.grad(srcad.forward_grad(scalar_objective, seed=14))(0.7, -1.5)
    with pytest.raises(srcad.UnsupportedError, match="forward_grad"):
        srcad.jvp(srcad.forward_grad(scalar_objective, seed=15))(0.7, -1.5, 1.0)
    with pytest.raises(srcad.UnsupportedError, match="forward_grad"):
        srcad.grad(uses_forward_grad)(X)


def test_a_float32_argument_gets_a_float32_estimate():
    estimate = srcad.forward_grad(array_objective, seed=16)(A.astype(np.float32))
    assert estimate.dtype == np.float32 and estimate.shape == A.shape and np.all(np.isfinite(estimate))


def test_the_forward_gradient_of_a_derivative_estimates_the_second_derivative():
    """forward_grad(grad(f)) runs the tangent of f's adjoint along a random v: mean f''(x)."""
    x = 0.7
    second = 6.0 * x - np.sin(x)
    assert_unbiased(srcad.forward_grad(srcad.grad(cubic), seed=18), second, (x,), samples=3000)
