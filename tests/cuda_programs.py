"""Functions of scalars that the CUDA tests differentiate: what people run one thread an item for."""

import math

import numpy as np


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def call_price(spot, strike, rate, volatility, maturity):
    """Black-Scholes price of a European call."""
    root_t = math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility * volatility) * maturity) / (volatility * root_t)
    d2 = d1 - volatility * root_t
    return spot * normal_cdf(d1) - strike * math.exp(-rate * maturity) * normal_cdf(d2)


def lorenz(sigma, rho, beta, x, y, z, dt, steps):
    """Lorenz system by RK4 from (x, y, z); a function of the final state."""
    for _ in range(steps):
        k1x, k1y, k1z = sigma * (y - x), x * (rho - z) - y, x * y - beta * z
        ax, ay, az = x + 0.5 * dt * k1x, y + 0.5 * dt * k1y, z + 0.5 * dt * k1z
        k2x, k2y, k2z = sigma * (ay - ax), ax * (rho - az) - ay, ax * ay - beta * az
        bx, by, bz = x + 0.5 * dt * k2x, y + 0.5 * dt * k2y, z + 0.5 * dt * k2z
        k3x, k3y, k3z = sigma * (by - bx), bx * (rho - bz) - by, bx * by - beta * bz
        cx, cy, cz = x + dt * k3x, y + dt * k3y, z + dt * k3z
        k4x, k4y, k4z = sigma * (cy - cx), cx * (rho - cz) - cy, cx * cy - beta * cz
        x = x + dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        z = z + dt / 6.0 * (k1z + 2.0 * k2z + 2.0 * k3z + k4z)
    return x + 0.5 * y + 0.25 * z


def newton_root(a, power):
    """The ``power``-th root of ``a`` by Newton's method: a while loop whose trip count varies by item."""
    r = a
    while abs(r ** power - a) > 1e-12 * a:
        r = r - (r ** power - a) / (power * r ** (power - 1.0))
    return r * math.log(a + 1.0)


def pair_energy(dx, dy, dz, epsilon, sigma):
    """Lennard-Jones energy of a pair at separation (dx, dy, dz); its gradient is the force."""
    r2 = dx * dx + dy * dy + dz * dz
    s6 = (sigma * sigma / r2) ** 3
    return 4.0 * epsilon * (s6 * s6 - s6)


def gradient_of_array(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * x[i]
    return s


def polynomial(x, coefficients):
    """Horner's rule over a coefficient array that is only read: fine on a device."""
    p = 0.0
    for k in range(coefficients.shape[0]):
        p = p * x + coefficients[k]
    return p


def particle_energy(x, y, z, i, xs, ys, zs, epsilon, sigma):
    """Lennard-Jones energy of particle i at (x, y, z) with every other particle (positions only read)."""
    e = 0.0
    for j in range(xs.shape[0]):
        if j != i:
            q = sigma * sigma / ((x - xs[j]) ** 2 + (y - ys[j]) ** 2 + (z - zs[j]) ** 2)
            e += 4.0 * epsilon * (q ** 6 - q ** 3)
    return e


def smooth_energy(x, w):
    """An array made inside (tanh of the argument), then reduced: its gradient needs a workspace."""
    y = np.tanh(w * x)
    return np.sum(y * y) + x[0] * w


def trajectory_loss(params, x0, dt, steps):
    """A per-trajectory parameter vector, a state array copied and updated in a loop (a reverse mode that
    records arrays)."""
    state = np.copy(x0)
    for _ in range(steps):
        rate = params[0] * state - params[1] * state * state
        state = state + dt * rate
    return np.sum(state * state)


def ranked_squares(x):
    """An int array made inside: a workspace of floats cannot hold it."""
    order = np.zeros(x.shape[0], np.int64)
    for i in range(x.shape[0]):
        order[i] = x.shape[0] - 1 - i
    s = 0.0
    for i in range(x.shape[0]):
        s += x[order[i]] ** 2
    return s
