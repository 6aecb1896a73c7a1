"""Derivatives of code that takes derivatives: GradBench's *particle* and *saddle*.

Both come from Siskind and Pearlmutter's benchmarks of nested differentiation,
written here as ordinary Numba code that calls derivatives made by srcad:

* particle: a charged particle is fired from (0, 8) into the field of two
  charges, one of which sits at a height set by a control ``w``; the simulation
  steps it with Euler's method using the gradient of the potential, and ``w``
  is chosen by gradient descent on how far from the origin it lands, which
  differentiates the simulation and so the gradient inside it;
* saddle: the min over r1 of the max over r2 of a saddle function, both found
  by gradient steps: the outer gradient goes through the inner loop of
  gradient steps.

The script checks each outer derivative against central differences of the
function it differentiates (run as Numba code that calls the compiled inner
derivative) and prints what the optimizations find.

    python3 examples/nested_optimization.py
"""

import math

import numba
import numpy as np

import srcad


# ---------------------------------------------------------------- particle
@numba.njit
def potential(x, w):
    """The potential at x of unit charges at (10, 10 - w) and (10, 0)."""
    near = math.sqrt((x[0] - 10.0) ** 2 + (x[1] - 10.0 + w) ** 2)
    far = math.sqrt((x[0] - 10.0) ** 2 + x[1] ** 2)
    return 1.0 / near + 1.0 / far


potential_gradient = srcad.grad(potential)


@numba.njit
def miss(w):
    """Squared distance from the origin where the particle fired with control w reaches the floor."""
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
    dt_f = -x[1] / xdot[1]
    return (x[0] + dt_f * xdot[0]) ** 2


# ------------------------------------------------------------------ saddle
@numba.njit
def saddle(r1, r2):
    return (r1[0] ** 2 + r1[1] ** 2) - (r2[0] ** 2 + r2[1] ** 2)


saddle_slope_in_r2 = srcad.grad(saddle, wrt=1)


@numba.njit
def max_over_r2(r1, start):
    """max over r2 of saddle(r1, r2), by GradBench's gradient steps from start: the step grows after ten
    successes and shrinks after a failure."""
    r2 = start.copy()
    value = saddle(r1, r2)
    slope = saddle_slope_in_r2(r1, r2)
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
            value_new = saddle(r1, r2_new)
            if value_new > value:
                r2 = r2_new
                value = value_new
                slope = saddle_slope_in_r2(r1, r2)
                accepted += 1
            else:
                eta = eta / 2.0
                accepted = 0
    return value


# -------------------------------------------------------- the outer search
def argmin(value_and_gradient, r, tolerance=1e-5):
    """GradBench's multivariate_argmin, for a float or an array ``r``."""
    value, g = value_and_gradient(r)
    eta = 1e-5
    accepted = 0
    while np.sqrt(np.sum(np.square(g))) > tolerance:
        if accepted == 10:
            eta, accepted = 2.0 * eta, 0
            continue
        r_new = r - eta * g
        if np.sqrt(np.sum(np.square(r_new - r))) <= tolerance:
            break
        value_new, g_new = value_and_gradient(r_new)
        if value_new < value:
            r, value, g, accepted = r_new, value_new, g_new, accepted + 1
        else:
            eta, accepted = eta / 2.0, 0
    return r


def central_difference(f, x, h=1e-6):
    """df/dx of a function of a float or of an array, by central differences."""
    if np.ndim(x) == 0:
        return (f(x + h) - f(x - h)) / (2.0 * h)
    steps = np.eye(len(x)) * h
    return np.array([(f(x + e) - f(x - e)) / (2.0 * h) for e in steps])


def main():
    miss_slope = srcad.value_and_grad(miss)             # reverse over the reverse-mode gradient inside
    _, by_forward = srcad.jvp(miss)(0.15, 1.0)         # forward over it
    for w in (0.0, 0.15):
        derivative = miss_slope(w)[1]
        reference = central_difference(miss, w)
        assert abs(derivative - reference) <= 1e-5 * abs(reference), (derivative, reference)
    assert abs(by_forward - miss_slope(0.15)[1]) <= 1e-9 * abs(by_forward)
    w = argmin(miss_slope, 0.0)
    print(f"particle: d miss/dw at 0 = {miss_slope(0.0)[1]:.9f} (differences {central_difference(miss, 0.0):.9f}); "
          f"w* = {w:.10f}, miss {miss(w):.2e}")

    start = np.array([1.0, 1.0])
    outer = srcad.value_and_grad(max_over_r2)        # the gradient goes through the inner gradient steps
    r1 = np.array([0.6, -0.3])
    derivative = outer(r1, start)[1]
    reference = central_difference(lambda r: max_over_r2(r, start), r1)
    assert np.allclose(derivative, reference, rtol=1e-5, atol=1e-8), (derivative, reference)
    r1_star = argmin(lambda r: outer(r, start), start)
    inner = srcad.value_and_grad(saddle, wrt=1)
    r2_star = argmin(lambda r: tuple(-part for part in inner(r1_star, r)), start)
    assert np.all(np.abs(r1_star) < 1e-2) and np.all(np.abs(r2_star) < 1e-2)
    print(f"saddle: gradient of the max at r1 = {r1} is {derivative} (differences {reference}); "
          f"r1* = {r1_star}, r2* = {r2_star}")


if __name__ == "__main__":
    main()
