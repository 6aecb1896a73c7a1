"""Benchmark problems for srcad.

Each problem is a plain, undecorated, Numba-style Python function (what srcad
differentiates and what ``numba.njit`` compiles as the primal) together with a
hand-written gradient compiled with Numba: the practical speed limit a person
would reach by deriving and coding the adjoint by hand.

Run ``python3 benchmarks/problems.py`` to check every hand-written gradient
against central finite differences.
"""

import numba
import numpy as np


# --------------------------------------------------------------------------
# Rosenbrock, a loop over a 1-D array
# --------------------------------------------------------------------------

ROSENBROCK_N = 100_000


def rosenbrock(x):
    s = 0.0
    for i in range(len(x) - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


@numba.njit(cache=False)
def rosenbrock_grad_hand(x):
    """d rosenbrock / dx, one independent expression per element.

    g[i] = 200 (x[i] - x[i-1]^2) - 400 x[i] (x[i+1] - x[i]^2) - 2 (1 - x[i]),
    with the first term missing at i = 0 and the last two at i = n-1.  No
    loop-carried value, so LLVM vectorizes the interior loop (about 3x faster
    than a fused loop that carries the g[i+1] contribution in a register).
    """
    n = x.shape[0]
    g = np.empty(n)
    if n == 0:
        return g
    if n == 1:
        g[0] = 0.0
        return g
    x0 = x[0]
    g[0] = -400.0 * x0 * (x[1] - x0 * x0) - 2.0 * (1.0 - x0)
    for i in range(1, n - 1):
        xm = x[i - 1]
        xi = x[i]
        xp = x[i + 1]
        g[i] = 200.0 * (xi - xm * xm) - 400.0 * xi * (xp - xi * xi) - 2.0 * (1.0 - xi)
    xm = x[n - 2]
    g[n - 1] = 200.0 * (x[n - 1] - xm * xm)
    return g


@numba.njit(cache=False)
def rosenbrock_grad_adjoint(x):
    """d rosenbrock / dx written as a reverse sweep of the loop, the way an adjoint is derived by hand.

    Each step adds its contributions to g[i] and g[i+1]; the carried g[i+1]
    keeps LLVM from vectorizing it, like srcad's generated adjoint.
    """
    n = x.shape[0]
    g = np.zeros(n)
    for i in range(n - 2, -1, -1):
        xi = x[i]
        d = x[i + 1] - xi * xi
        g[i + 1] += 200.0 * d
        g[i] += -400.0 * xi * d - 2.0 * (1.0 - xi)
    return g


def rosenbrock_args(n=ROSENBROCK_N, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1.5, 1.5, n),)


# --------------------------------------------------------------------------
# Lorenz system, classical RK4 with a fixed step
# --------------------------------------------------------------------------
#
# Parameter choice: sigma = 10, beta = 8/3 as usual, but rho = 15 instead of
# the chaotic rho = 28.  For 1 < rho < ~24.7 the two non-trivial equilibria
# (+-sqrt(beta*(rho-1)), +-sqrt(beta*(rho-1)), rho-1) are stable, so the
# trajectory from (1, 1, 1) spirals into one of them.  Over 20000 steps of
# dt = 0.001 (20 time units) the state stays finite (final loss ~270) and all
# six derivatives are moderate (between ~0.05 and ~26 in magnitude); rho = 15
# rather than 10 so that the state has not completely forgotten its initial
# value and those sensitivities are not vanishingly small.  At rho = 28 the
# gradient over 20 time units would grow like exp(0.9 * 20) and be meaningless.
#
# Loss: squared norm of the final state.

LORENZ_STEPS = 20_000
LORENZ_DT = 0.001


def lorenz_final(sigma, rho, beta, x0, y0, z0, dt, steps):
    x = x0
    y = y0
    z = z0
    h = 0.5 * dt
    for _ in range(steps):
        k1x = sigma * (y - x)
        k1y = x * (rho - z) - y
        k1z = x * y - beta * z
        ax = x + h * k1x
        ay = y + h * k1y
        az = z + h * k1z
        k2x = sigma * (ay - ax)
        k2y = ax * (rho - az) - ay
        k2z = ax * ay - beta * az
        bx = x + h * k2x
        by = y + h * k2y
        bz = z + h * k2z
        k3x = sigma * (by - bx)
        k3y = bx * (rho - bz) - by
        k3z = bx * by - beta * bz
        cx = x + dt * k3x
        cy = y + dt * k3y
        cz = z + dt * k3z
        k4x = sigma * (cy - cx)
        k4y = cx * (rho - cz) - cy
        k4z = cx * cy - beta * cz
        x = x + dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        z = z + dt / 6.0 * (k1z + 2.0 * k2z + 2.0 * k3z + k4z)
    return x * x + y * y + z * z


@numba.njit(cache=False)
def lorenz_grad_hand(sigma, rho, beta, x0, y0, z0, dt, steps):
    """Adjoint of lorenz_final w.r.t. (sigma, rho, beta, x0, y0, z0).

    Forward sweep: integrate, storing for every step the state at its start
    and the three intermediate RK4 stage states (a, b, c) in a preallocated
    (steps, 12) array; storing them is a little faster here than recomputing
    the stages in the reverse sweep.  Reverse sweep: from the last step to the
    first, pull the adjoint of the state back through the update and the four
    stages, accumulating the adjoints of sigma, rho and beta.

    For the right-hand side f(x, y, z) = (sigma (y - x), x (rho - z) - y,
    x y - beta z) and a cotangent (u, v, q) of f:
        x_bar = -sigma u + (rho - z) v + y q
        y_bar =  sigma u - v + x q
        z_bar = -x v - beta q
        sigma_bar = (y - x) u,  rho_bar = x v,  beta_bar = -z q
    """
    st = np.empty((steps, 12))
    x = x0
    y = y0
    z = z0
    h = 0.5 * dt
    w = dt / 6.0
    for n in range(steps):
        k1x = sigma * (y - x)
        k1y = x * (rho - z) - y
        k1z = x * y - beta * z
        ax = x + h * k1x
        ay = y + h * k1y
        az = z + h * k1z
        k2x = sigma * (ay - ax)
        k2y = ax * (rho - az) - ay
        k2z = ax * ay - beta * az
        bx = x + h * k2x
        by = y + h * k2y
        bz = z + h * k2z
        k3x = sigma * (by - bx)
        k3y = bx * (rho - bz) - by
        k3z = bx * by - beta * bz
        cx = x + dt * k3x
        cy = y + dt * k3y
        cz = z + dt * k3z
        k4x = sigma * (cy - cx)
        k4y = cx * (rho - cz) - cy
        k4z = cx * cy - beta * cz
        r = st[n]
        r[0] = x
        r[1] = y
        r[2] = z
        r[3] = ax
        r[4] = ay
        r[5] = az
        r[6] = bx
        r[7] = by
        r[8] = bz
        r[9] = cx
        r[10] = cy
        r[11] = cz
        x = x + w * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + w * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        z = z + w * (k1z + 2.0 * k2z + 2.0 * k3z + k4z)

    # adjoint of the loss x*x + y*y + z*z
    xb = 2.0 * x
    yb = 2.0 * y
    zb = 2.0 * z
    sb = 0.0
    rb = 0.0
    bb = 0.0
    for n in range(steps - 1, -1, -1):
        r = st[n]
        x = r[0]
        y = r[1]
        z = r[2]
        ax = r[3]
        ay = r[4]
        az = r[5]
        bx = r[6]
        by = r[7]
        bz = r[8]
        cx = r[9]
        cy = r[10]
        cz = r[11]

        # new state = state + w (k1 + 2 k2 + 2 k3 + k4); the state adjoint
        # passes straight through, the slopes get weighted copies of it
        k4xb = w * xb
        k4yb = w * yb
        k4zb = w * zb
        k3xb = 2.0 * k4xb
        k3yb = 2.0 * k4yb
        k3zb = 2.0 * k4zb
        k2xb = k3xb
        k2yb = k3yb
        k2zb = k3zb
        k1xb = k4xb
        k1yb = k4yb
        k1zb = k4zb

        # k4 = f(c), c = state + dt k3
        sb += (cy - cx) * k4xb
        rb += cx * k4yb
        bb -= cz * k4zb
        cxb = -sigma * k4xb + (rho - cz) * k4yb + cy * k4zb
        cyb = sigma * k4xb - k4yb + cx * k4zb
        czb = -cx * k4yb - beta * k4zb
        xb += cxb
        yb += cyb
        zb += czb
        k3xb += dt * cxb
        k3yb += dt * cyb
        k3zb += dt * czb

        # k3 = f(b), b = state + h k2
        sb += (by - bx) * k3xb
        rb += bx * k3yb
        bb -= bz * k3zb
        bxb = -sigma * k3xb + (rho - bz) * k3yb + by * k3zb
        byb = sigma * k3xb - k3yb + bx * k3zb
        bzb = -bx * k3yb - beta * k3zb
        xb += bxb
        yb += byb
        zb += bzb
        k2xb += h * bxb
        k2yb += h * byb
        k2zb += h * bzb

        # k2 = f(a), a = state + h k1
        sb += (ay - ax) * k2xb
        rb += ax * k2yb
        bb -= az * k2zb
        axb = -sigma * k2xb + (rho - az) * k2yb + ay * k2zb
        ayb = sigma * k2xb - k2yb + ax * k2zb
        azb = -ax * k2yb - beta * k2zb
        xb += axb
        yb += ayb
        zb += azb
        k1xb += h * axb
        k1yb += h * ayb
        k1zb += h * azb

        # k1 = f(state)
        sb += (y - x) * k1xb
        rb += x * k1yb
        bb -= z * k1zb
        xb += -sigma * k1xb + (rho - z) * k1yb + y * k1zb
        yb += sigma * k1xb - k1yb + x * k1zb
        zb += -x * k1yb - beta * k1zb
    return sb, rb, bb, xb, yb, zb


def lorenz_args(steps=LORENZ_STEPS, dt=LORENZ_DT):
    return (10.0, 15.0, 8.0 / 3.0, 1.0, 1.0, 1.0, dt, steps)


# --------------------------------------------------------------------------
# Registry used by bench_core.py
# --------------------------------------------------------------------------

PROBLEMS = {
    "rosenbrock": dict(
        func=rosenbrock,
        hand=rosenbrock_grad_hand,
        args=rosenbrock_args,
        wrt=0,
        description=f"Rosenbrock loop over x, n = {ROSENBROCK_N}; d/dx",
    ),
    "rosenbrock_vs_adjoint": dict(
        func=rosenbrock,
        hand=rosenbrock_grad_adjoint,
        args=rosenbrock_args,
        wrt=0,
        description=f"the same Rosenbrock, against a hand-written reverse-sweep loop instead of the "
                    f"vectorized per-element gradient",
    ),
    "lorenz_rk4": dict(
        func=lorenz_final,
        hand=lorenz_grad_hand,
        args=lorenz_args,
        wrt=(0, 1, 2, 3, 4, 5),
        description=(f"Lorenz RK4, {LORENZ_STEPS} steps, dt = {LORENZ_DT}, rho = 15; "
                     "d/d(sigma, rho, beta, x0, y0, z0)"),
    ),
}


# --------------------------------------------------------------------------
# Self-check against central finite differences
# --------------------------------------------------------------------------

def _as_tuple(g):
    return tuple(g) if isinstance(g, tuple) else (g,)


def _central_difference(f, args, index, component=None, eps=1e-6):
    """Central difference of f w.r.t. args[index] (element ``component`` of an array)."""
    plus = list(args)
    minus = list(args)
    if component is None:
        h = eps * max(1.0, abs(args[index]))
        plus[index] = args[index] + h
        minus[index] = args[index] - h
    else:
        h = eps * max(1.0, abs(args[index][component]))
        plus[index] = args[index].copy()
        minus[index] = args[index].copy()
        plus[index][component] += h
        minus[index][component] -= h
    return (f(*plus) - f(*minus)) / (2.0 * h)


def selfcheck(verbose=True, rtol=1e-5):
    """Compare every hand-written gradient with central finite differences.

    Uses reduced sizes (fast) as well as the benchmark sizes.  Raises
    AssertionError on a mismatch; returns True otherwise.
    """
    checks = [
        ("rosenbrock n=50", rosenbrock, rosenbrock_grad_hand, rosenbrock_args(n=50, seed=1), 0, 1e-6),
        # the sum of 1e5 terms is ~1e7: a larger step keeps rounding out of the difference
        ("rosenbrock n=1e5", rosenbrock, rosenbrock_grad_hand, rosenbrock_args(), 0, 1e-4),
        ("lorenz 2000 steps", lorenz_final, lorenz_grad_hand, lorenz_args(steps=2000),
         (0, 1, 2, 3, 4, 5), 1e-6),
        ("lorenz 20000 steps", lorenz_final, lorenz_grad_hand, lorenz_args(), (0, 1, 2, 3, 4, 5), 1e-6),
    ]
    primal_cache = {}
    for name, f, hand, args, wrt, eps in checks:
        fj = primal_cache.setdefault(f, numba.njit(f))
        grads = _as_tuple(hand(*args))
        indices = wrt if isinstance(wrt, tuple) else (wrt,)
        worst = 0.0
        for g, index in zip(grads, indices):
            if isinstance(args[index], np.ndarray):
                n = args[index].shape[0]
                components = sorted(set([0, 1, n // 2, n - 2, n - 1]) | set(range(0, n, max(1, n // 7))))
                for c in components:
                    fd = _central_difference(fj, args, index, c, eps)
                    err = abs(g[c] - fd) / max(1.0, abs(fd))
                    worst = max(worst, err)
                    assert err < rtol, f"{name}: d/dx[{c}] hand {g[c]!r} vs fd {fd!r}"
            else:
                fd = _central_difference(fj, args, index, None, eps)
                err = abs(g - fd) / max(1.0, abs(fd))
                worst = max(worst, err)
                assert err < rtol, f"{name}: d/d arg{index} hand {g!r} vs fd {fd!r}"
        if verbose:
            print(f"selfcheck {name:20s} ok (max rel. error vs central differences {worst:.1e})")
    return True


if __name__ == "__main__":
    selfcheck()
    print("lorenz loss =", numba.njit(lorenz_final)(*lorenz_args()))
    print("lorenz grad =", lorenz_grad_hand(*lorenz_args()))
