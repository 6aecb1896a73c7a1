"""Derivatives called inside functions being differentiated (issue 15).

A function that calls ``srcad.grad(g)`` (or jvp, vjp, value_and_grad) is differentiated through
that call: the inner derivative's own core form is inlined like a helper and the outer transform
differentiates it.  Each case is checked against central differences of the outer function run
as Python, which calls the compiled inner derivative (differences of the inner derivative).

GradBench's two nesting evals (from Siskind and Pearlmutter's benchmarks) are written the
way a Numba user writes them: *particle* (a charged particle fired into a field, the control
chosen by gradient descent on the miss distance, whose simulation takes the gradient of the
potential) and *saddle* (the min over r1 of the max over r2, both by gradient steps).

The simulations are ``@numba.njit`` functions that call the derivatives, as Numba code does; the
file runs compiled and as plain Python (``NUMBA_DISABLE_JIT=1``).
"""

import math

import numba
import numpy as np
import pytest

import srcad
from fd import assert_close, partial

RNG = np.random.default_rng(15)


# ------------------------------------------------------------ small nestings
def cubic(x):
    return x * x * x + math.sin(x)


cubic_slope = srcad.grad(cubic)


def twice_the_slope(x):
    return 2.0 * cubic_slope(x) + x * x


def energy(x, k):
    """A scalar of an array, with a parameter k that its gradient depends on."""
    return k * np.sum(np.sin(x) * x) + 0.5 * np.sum(x * x) * k * k


energy_gradient = srcad.grad(energy)


def gradient_norm(x, k):
    g = energy_gradient(x, k)
    return np.sum(g * g)


def gradient_step(x, k):
    """One gradient step, then its energy: an array result of the inner gradient used again."""
    y = x - 0.1 * energy_gradient(x, k)
    return energy(y, k)


cubic_tangent = srcad.jvp(cubic)


def tangent_squared(x):
    value, slope = cubic_tangent(x, 1.0)
    return value * slope * slope


def plane(x, y):
    return x * x * y + math.exp(0.3 * x * y)


plane_value_and_grad = srcad.value_and_grad(plane, wrt=1)
plane_vjp = srcad.vjp(plane, wrt=1)
plane_slopes = srcad.grad(plane, wrt=(0, 1))


def uses_value_and_grad(x, y):
    value, slope = plane_value_and_grad(x, y)
    return value * slope


def uses_vjp(x, y):
    value, cotangent = plane_vjp(x, y, 2.0)
    return value + x * cotangent


def uses_both_slopes(x, y):
    gx, gy = plane_slopes(x, y)
    return gx * gy


def wave(x, a):
    """An array-valued function: its jvp and vjp give arrays."""
    return np.sin(a * x) * x


wave_jvp_in_a = srcad.jvp(wave, wrt=1)
wave_vjp = srcad.vjp(wave)


def uses_array_jvp_and_vjp(x, a):
    value, tangent = wave_jvp_in_a(x, a, 1.0)
    w = value * tangent
    return np.sum(w) + np.sum(wave_vjp(x, a, w)[1])


def chained(x, a):
    """The arguments of the second call are the first call's results (arrays): its types wait for them."""
    value, tangent = wave_jvp_in_a(x, a, 1.0)
    g = energy_gradient(value, a)
    return np.sum(g * tangent)


def pair_product(v):
    return v[0] * v[0] * v[1] + v[1] * v[1] * v[0]


pair_gradient_of_array = srcad.grad(pair_product)


def writes_after_the_call(x):
    """The array handed to the inner gradient is written after the call (and read by its reverse sweep)."""
    a = x.copy()
    g = pair_gradient_of_array(a)
    a[0] = a[0] * 3.0
    a[1] = a[1] * a[0]
    return g[0] * a[0] + g[1] * a[1] + pair_product(a)


def steps_in_place(x):
    a = x.copy()
    total = 0.0
    for k in range(3):
        g = pair_gradient_of_array(a)
        a[0] = a[0] - 0.1 * g[0]
        a[1] = a[1] - 0.1 * g[1]
        total += a[0] * g[1]
    return total


def makes_its_derivatives(x, y):
    """srcad.grad(g)(x) written in the function itself, as with JAX: the derivative is made once."""
    return srcad.grad(plane)(x, y) * srcad.grad(plane, wrt=1)(x, y)


def _outer_checks():
    x = RNG.normal(size=4)
    return [
        (twice_the_slope, (0.7,), 0),
        (gradient_norm, (x, 0.8), 0),
        (gradient_norm, (x, 0.8), 1),
        (gradient_step, (x, 1.3), 0),
        (gradient_step, (x, 1.3), 1),
        (tangent_squared, (0.4,), 0),
        (uses_value_and_grad, (0.4, -0.9), 0),
        (uses_vjp, (0.4, -0.9), 0),
        (uses_vjp, (0.4, -0.9), 1),
        (uses_both_slopes, (0.4, -0.9), 1),
        (uses_array_jvp_and_vjp, (x[:3], 0.7), 0),
        (uses_array_jvp_and_vjp, (x[:3], 0.7), 1),
        (chained, (x[:3], 0.6), 0),
        (chained, (x[:3], 0.6), 1),
        (writes_after_the_call, (x[:2],), 0),
        (steps_in_place, (x[:2],), 0),
        (makes_its_derivatives, (0.3, 0.8), 0),
        (makes_its_derivatives, (0.3, 0.8), 1),
    ]


# the adjoints of energy and wave record values on a tape (their array expressions are loops): reverse mode
# over them is reverse over reverse with a tape, refused; with respect to a scalar, grad takes forward sweeps
REVERSE_OVER_TAPE = {(gradient_norm, 0), (gradient_step, 0), (uses_array_jvp_and_vjp, 0), (chained, 0)}


@pytest.mark.parametrize("outer, args, wrt", _outer_checks(),
                         ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_grad_of_a_function_calling_a_derivative(outer, args, wrt):
    if (outer, wrt) in REVERSE_OVER_TAPE:
        with pytest.raises(srcad.UnsupportedError, match="reverse over reverse") as error:
            srcad.grad(outer, wrt=wrt)(*args)
        assert "test_nested_derivatives.py" in str(error.value) and "srcad.jvp" in str(error.value)
        # in forward mode it is taken
        assert_close(srcad.jacfwd(outer, wrt=wrt)(*args), partial(outer, args, wrt))
        return
    expected = partial(outer, args, wrt)
    assert_close(srcad.grad(outer, wrt=wrt)(*args), expected)


@pytest.mark.parametrize("outer, args, wrt", _outer_checks(),
                         ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_jvp_of_a_function_calling_a_derivative(outer, args, wrt):
    direction = RNG.normal(size=np.shape(args[wrt])) if np.ndim(args[wrt]) else 0.75
    expected = np.sum(partial(outer, args, wrt) * direction)
    value, tangent = srcad.jvp(outer, wrt=wrt)(*args, direction)
    assert_close(value, outer(*args))
    assert_close(tangent, expected)


def test_second_derivative_of_a_function_calling_grad():
    """jvp of the gradient of a function that calls grad: third derivatives of cubic."""
    slope = srcad.grad(twice_the_slope)
    _, curvature = srcad.jvp(slope)(0.7, 1.0)
    assert_close(curvature, partial(slope, (0.7,), 0))
    assert_close(curvature, 2.0 * (6.0 - math.cos(0.7)) + 2.0)


def test_the_primal_still_calls_the_compiled_derivative():
    """From @njit code a derivative stays a compiled call (Numba's overload), not inlined source."""
    compiled = numba.njit(gradient_norm)
    x = RNG.normal(size=3)
    assert_close(compiled(x, 0.5), gradient_norm(x, 0.5))
    assert_close(numba.njit(twice_the_slope)(0.3), twice_the_slope(0.3))


WEIGHTS = np.array([1.0, 2.0, 3.0])


def squared(v):
    return v * v


def weighted(x):
    """Reads a global array and inlines a helper: both travel with its derivative's core form."""
    return np.sum(WEIGHTS * squared(x)) + math.sin(x[0])


weighted_gradient = srcad.grad(weighted)


def uses_weighted_gradient(x):
    g = weighted_gradient(x)
    return np.sum(g * WEIGHTS * x)


def slope_times_x(x):
    return cubic_slope(x) * x


def through_a_helper(x):
    return slope_times_x(x) + slope_times_x(2.0 * x)


def in_branches_and_tests(x):
    y = cubic_slope(x) if x > 0 else cubic_slope(-x)
    while cubic_slope(y) > 10.0:
        y = y * 0.5
    return y * cubic_slope(x) + cubic_slope(x * x)


cubic_second = srcad.grad(srcad.grad(cubic))


def uses_second_derivative(x):
    return cubic_second(x) * x


@pytest.mark.parametrize("outer, x", [(through_a_helper, 0.4), (in_branches_and_tests, 0.4),
                                      (in_branches_and_tests, -0.7), (in_branches_and_tests, 3.0),
                                      (uses_second_derivative, 0.4)],
                         ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_calls_in_helpers_branches_loop_tests_and_of_second_derivatives(outer, x):
    assert_close(srcad.grad(outer)(x), partial(outer, (x,), 0))


def test_global_arrays_and_helpers_of_the_inner_function():
    x = np.array([0.3, -0.2, 0.5])
    assert_close(srcad.jacfwd(uses_weighted_gradient)(x), partial(uses_weighted_gradient, (x,), 0))


def test_derivatives_of_a_derivative_of_a_function_calling_grad():
    assert_close(srcad.grad(srcad.grad(twice_the_slope))(0.4), partial(srcad.grad(twice_the_slope), (0.4,), 0))
    assert_close(srcad.hessian(twice_the_slope)(0.4), partial(srcad.grad(twice_the_slope), (0.4,), 0))


# ----------------------------------------------------------- what is refused
def recorded(x):
    """A loop whose adjoint records values on a tape."""
    s = 0.0
    for i in range(3):
        s = math.sin(s + x * i)
    return s


recorded_slope = srcad.grad(recorded)


def calls_recorded_slope(x):
    return recorded_slope(x) * x


def long_recorded(x, n):
    """A loop of n steps: its adjoint records more values than a first tape holds."""
    s = x
    for i in range(n):
        s = math.sin(s) + 0.5 * x
    return s


long_slope = srcad.grad(long_recorded)


def calls_long_slope_in_a_loop(x, n):
    total = 0.0
    for k in range(3):
        total += long_slope(x * (k + 1.0), n) * x
    return total


cubic_hessian = srcad.hessian(cubic)


def calls_hessian(x):
    return cubic_hessian(x) * x


def test_a_recording_reverse_derivative_inside_is_taken_in_forward_mode():
    """Its tape operations are inlined with it: forward mode carries them, and its pops stay behind
    the check that its pushes had room (grown tapes on a second run)."""
    assert_close(srcad.grad(calls_recorded_slope)(0.3), partial(calls_recorded_slope, (0.3,), 0))
    assert_close(srcad.jvp(calls_recorded_slope)(0.3, 1.0)[1], partial(calls_recorded_slope, (0.3,), 0))
    with pytest.raises(srcad.UnsupportedError, match="reverse over reverse"):
        srcad.hessian(calls_recorded_slope)(0.3)


def test_an_inlined_derivative_whose_tape_is_too_small_runs_again_with_a_larger_one():
    """The first tapes hold 1024 values; each inlined adjoint pushes 3000 before its pops, inside a loop."""
    expected = partial(calls_long_slope_in_a_loop, (0.3, 3000), 0)
    tangent = srcad.jvp(calls_long_slope_in_a_loop)
    assert_close(tangent(0.3, 3000, 1.0)[1], expected)

    @numba.njit
    def from_compiled_code(x, n):
        return tangent(x, n, 1.0)[1]

    assert_close(from_compiled_code(0.3, 3000), expected)


def with_aux(x):
    return x * x, x


aux_gradient = srcad.grad(with_aux, has_aux=True)


def uses_aux_gradient(x):
    g, a = aux_gradient(x)
    return g * a


def of_pair(p):
    return p[0] * p[1]


pair_gradient = srcad.grad(of_pair)


def passes_a_tuple(x):
    return pair_gradient((x, 2.0))


cubic_estimate = srcad.forward_grad(cubic)
cubic_jacobian = srcad.jacobian(cubic)
cubic_hvp = srcad.hvp(cubic)


def calls_estimate(x):
    return cubic_estimate(x)


def calls_jacobian(x):
    return cubic_jacobian(x)


def calls_hvp(x):
    return cubic_hvp(x, 1.0)


def makes_a_derivative_of_a_variable(x):
    wrt = 1 if x > 0 else 0
    return srcad.grad(plane, wrt=wrt)(x, 2.0)


@pytest.mark.parametrize("outer, words", [
    (makes_a_derivative_of_a_variable, "constant options; make it outside"),
    (calls_hessian, "hessian_cubic is called here.*driver"),
    (calls_jacobian, "jacobian_cubic is called here.*driver"),
    (calls_hvp, "the hvp of cubic"),
    (calls_estimate, "random estimate"),
    (uses_aux_gradient, "has_aux=True"),
    (passes_a_tuple, "elements of a tuple"),
], ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_derivatives_that_cannot_be_differentiated_inside_are_refused_at_the_call(outer, words):
    with pytest.raises(srcad.UnsupportedError, match=words) as error:
        srcad.grad(outer)(0.3)
    assert "test_nested_derivatives.py" in str(error.value)


# ------------------------------------------------------------- GradBench particle
@numba.njit
def potential(x, w):
    """The potential at x of two unit charges, at (10, 10 - w) and (10, 0)."""
    near = math.sqrt((x[0] - 10.0) ** 2 + (x[1] - 10.0 + w) ** 2)
    far = math.sqrt((x[0] - 10.0) ** 2 + x[1] ** 2)
    return 1.0 / near + 1.0 / far


potential_gradient = srcad.grad(potential)          # reverse mode inside
potential_tangent = srcad.jvp(potential)            # forward mode inside, one direction at a time


@numba.njit
def field_by_reverse(x, w):
    return -potential_gradient(x, w)


@numba.njit
def field_by_forward(x, w):
    field = np.zeros(2)
    field[0] = -potential_tangent(x, w, np.array([1.0, 0.0]))[1]
    field[1] = -potential_tangent(x, w, np.array([0.0, 1.0]))[1]
    return field


@numba.njit
def _miss(x, xdot):
    """Where the particle would cross the floor, from its last step above it: the squared miss."""
    dt_f = -x[1] / xdot[1]
    x_t_f = x + dt_f * xdot
    return x_t_f[0] ** 2


@numba.njit
def naive_euler(w):
    """Fire the particle from (0, 8) and step it by Euler's method until it reaches the floor."""
    x = np.array([0.0, 8.0])
    xdot = np.array([0.75, 0.0])
    dt = 1e-1
    while True:
        xddot = -potential_gradient(x, w)
        x_new = x + dt * xdot
        if x_new[1] <= 0.0:
            break
        x = x_new
        xdot = xdot + dt * xddot
    return _miss(x, xdot)


@numba.njit
def naive_euler_forward_inside(w):
    """naive_euler with the field taken by forward mode (GradBench's "?f" variants)."""
    x = np.array([0.0, 8.0])
    xdot = np.array([0.75, 0.0])
    dt = 1e-1
    while True:
        xddot = field_by_forward(x, w)
        x_new = x + dt * xdot
        if x_new[1] <= 0.0:
            break
        x = x_new
        xdot = xdot + dt * xddot
    return _miss(x, xdot)


def argmin_1d(slope, w, tolerance=1e-5):
    """GradBench's multivariate_argmin on one variable: gradient steps that grow after ten
    successes and shrink after a failure; ``slope(w)`` is (value, derivative)."""
    value, g = slope(w)
    eta = 1e-5
    accepted = 0
    while abs(g) > tolerance:
        if accepted == 10:
            eta, accepted = 2.0 * eta, 0
            continue
        w_new = w - eta * g
        if abs(w_new - w) <= tolerance:
            break
        value_new, g_new = slope(w_new)
        if value_new < value:
            w, value, g, accepted = w_new, value_new, g_new, accepted + 1
        else:
            eta, accepted = eta / 2.0, 0
    return w


PARTICLE_OUTER = {
    "r": lambda f: srcad.value_and_grad(f),                     # reverse outside
    "f": lambda f: (lambda w, fj=srcad.jvp(f): fj(w, 1.0)),     # forward outside
}
PARTICLE_INNER = {"r": naive_euler, "f": naive_euler_forward_inside}


def test_the_simulation_runs_compiled_calling_the_compiled_gradient():
    """naive_euler is @njit code that calls grad(potential): Numba compiles the call, srcad inlines it."""
    plain = getattr(naive_euler, "py_func", naive_euler)
    assert_close(naive_euler(0.1), plain(0.1), rtol=1e-12)
    assert_close(naive_euler_forward_inside(0.1), plain(0.1), rtol=1e-12)


@pytest.mark.parametrize("inner", "rf")
@pytest.mark.parametrize("outer", "rf")
def test_particle_derivative_matches_differences(outer, inner):
    slope = PARTICLE_OUTER[outer](PARTICLE_INNER[inner])
    for w in (0.0, 0.15):
        value, derivative = slope(w)
        assert_close(value, naive_euler(w))
        assert_close(derivative, partial(naive_euler, (w,), 0), rtol=1e-5)


@pytest.fixture(scope="module")
def particle_by_differences():
    """The control that gradient descent finds with differences of naive_euler for its derivative."""
    return argmin_1d(lambda w: (naive_euler(w), partial(naive_euler, (w,), 0)), 0.0)


@pytest.mark.parametrize("variant", ["rr", "rf", "fr", "ff"])
def test_particle_finds_the_control_that_lands_at_the_origin(variant, particle_by_differences):
    slope = PARTICLE_OUTER[variant[0]](PARTICLE_INNER[variant[1]])
    w = argmin_1d(slope, 0.0)
    assert math.isclose(w, particle_by_differences, rel_tol=1e-7)
    assert naive_euler(w) < 1e-4 * naive_euler(0.0)
    assert abs(w - 0.2071918746) < 1e-6


# ---------------------------------------------------------------- GradBench saddle
@numba.njit
def saddle_objective(r1, r2):
    return (r1[0] ** 2 + r1[1] ** 2) - (r2[0] ** 2 + r2[1] ** 2)


@numba.njit
def coupled_objective(r1, r2):
    """A saddle whose maximizing r2 moves with r1, so the inner gradient's own derivative counts."""
    return (r1[0] ** 2 + r1[1] ** 2) - (r2[0] ** 2 + r2[1] ** 2) + r1[0] * r2[1] - 0.5 * r1[1] * r2[0]


slope_in_r2 = srcad.grad(saddle_objective, wrt=1)
coupled_slope_in_r2 = srcad.grad(coupled_objective, wrt=1)


@numba.njit
def max_over_r2(r1, start):
    """max over r2 of saddle_objective(r1, r2), by GradBench's gradient steps from ``start``."""
    r2 = start.copy()
    value = saddle_objective(r1, r2)
    slope = slope_in_r2(r1, r2)
    eta = 1e-5
    accepted = 0
    while math.sqrt(slope[0] ** 2 + slope[1] ** 2) > 1e-5:
        if accepted == 10:
            eta = 2.0 * eta
            accepted = 0
        else:
            r2_new = r2 + eta * slope
            if math.sqrt((r2_new[0] - r2[0]) ** 2 + (r2_new[1] - r2[1]) ** 2) <= 1e-5:
                break
            value_new = saddle_objective(r1, r2_new)
            if value_new > value:
                r2 = r2_new
                value = value_new
                slope = slope_in_r2(r1, r2)
                accepted += 1
            else:
                eta = eta / 2.0
                accepted = 0
    return value


@numba.njit
def coupled_max_over_r2(r1, start):
    """max_over_r2 of the coupled objective, with a fixed number of plain gradient steps."""
    r2 = start.copy()
    for _ in range(40):
        r2 = r2 + 0.2 * coupled_slope_in_r2(r1, r2)
    return coupled_objective(r1, r2)


def argmin(value_and_slope, r, tolerance=1e-5):
    """GradBench's multivariate_argmin: ``value_and_slope(r)`` is (value, gradient)."""
    value, g = value_and_slope(r)
    eta = 1e-5
    accepted = 0
    while np.sqrt(np.sum(g * g)) > tolerance:
        if accepted == 10:
            eta, accepted = 2.0 * eta, 0
            continue
        r_new = r - eta * g
        if np.sqrt(np.sum((r_new - r) ** 2)) <= tolerance:
            break
        value_new, g_new = value_and_slope(r_new)
        if value_new < value:
            r, value, g, accepted = r_new, value_new, g_new, accepted + 1
        else:
            eta, accepted = eta / 2.0, 0
    return r


@pytest.mark.parametrize("outer", [srcad.grad, lambda f: (lambda r1, s, fj=srcad.jacfwd(f): fj(r1, s))])
def test_saddle_derivatives_match_differences(outer):
    start = np.array([1.0, 1.0])
    r1 = np.array([0.6, -0.3])
    assert_close(outer(max_over_r2)(r1, start), partial(max_over_r2, (r1, start), 0), rtol=1e-5)
    assert_close(outer(coupled_max_over_r2)(r1, start), partial(coupled_max_over_r2, (r1, start), 0), rtol=1e-5)


def test_hessian_through_the_inner_gradient_steps():
    """Forward over reverse over the inner reverse: columns of differences of the gradient."""
    start = np.array([1.0, 1.0])
    r1 = np.array([0.6, -0.3])
    gradient = srcad.grad(coupled_max_over_r2)
    columns = [partial(lambda t, e=e: gradient(r1 + t * e, start)[k], (0.0,), 0)
               for e in np.eye(2) for k in range(2)]
    assert_close(srcad.hessian(coupled_max_over_r2)(r1, start), np.array(columns).reshape(2, 2).T, rtol=1e-5)


def test_saddle_finds_the_saddle_point():
    start = np.array([1.0, 1.0])
    outer = srcad.value_and_grad(max_over_r2)
    r1 = argmin(lambda r: outer(r, start), start)
    inner = srcad.value_and_grad(saddle_objective, wrt=1)
    r2 = argmin(lambda r: tuple(-part for part in inner(r1, r)), start)
    assert np.all(np.abs(r1) < 1e-2) and np.all(np.abs(r2) < 1e-2)
