"""Functions with user-supplied derivative rules, used by test_custom_rules.py.

The rules are registered when this module is imported, as a user's module
would do; ``main()`` is run in fresh processes by the cache test.
"""

import math
import os
import sys

import numba
import numpy as np

import srcad

# Read by ``scaled`` as a global: Numba freezes it into the compiled code, so
# the cache test changes it through the environment.
SCALE = float(os.environ.get("SRCAD_TEST_SCALE", "1.0"))


@numba.njit
def _cube_residual(x, a):
    return x * x * x + x - a


@srcad.rule(partials=("1.0 / (3.0 * out * out + 1.0)",))
@numba.njit
def root(a):
    """The real root of x**3 + x - a, by Newton iterations srcad never reads."""
    x = a / (1.0 + abs(a)) ** (2.0 / 3.0)
    for _ in range(100):
        step = _cube_residual(x, a) / (3.0 * x * x + 1.0)
        x -= step
        if abs(step) <= 1e-15 * (1.0 + abs(x)):
            break
    return x


@numba.njit
def log_gamma_slope(x):
    """d/dx log(Gamma(x)) (the digamma function): recurrence, then the asymptotic series."""
    shift = 0.0
    while x < 6.0:
        shift -= 1.0 / x
        x += 1.0
    inv = 1.0 / (x * x)
    series = inv * (1.0 / 12 - inv * (1.0 / 120 - inv * (1.0 / 252 - inv * (1.0 / 240 - inv / 132))))
    return shift + math.log(x) - 0.5 / x - series


@srcad.rule(partials=("log_gamma_slope(x) * out",))
@numba.njit
def gamma(x):
    return math.gamma(x)


def scaled_slope(x, n):
    """A plain Python helper: compiled with numba.njit when a derivative calls it."""
    return SCALE * n * x ** (n - 1)


@srcad.rule(partials=("scaled_slope(x, n)", None))
@numba.njit
def scaled(x, n):
    """SCALE * x**n, with n an integer count."""
    return SCALE * x ** n


def plain_square(x):
    return x * x


srcad.register_rule(plain_square, ("2.0 * x",))


# Users of the rules ------------------------------------------------------
def uses_root(a, b):
    return root(a * b) * math.sin(b)


def uses_gamma(x):
    return gamma(x) / (1.0 + x)


def uses_scaled(x, y, n):
    return scaled(x * y, n) + y


def in_loop(a, steps):
    s = 0.0
    x = a
    for k in range(steps):
        x = root(x + 0.1 * k)
        s += x * x
    return s


def everything(a, x):
    return root(a) * gamma(x) + scaled(a, 3) + plain_square(x)


def main():
    from examples_cache import report

    g = srcad.value_and_grad(everything, wrt=(0, 1))
    report(g, *g(1.5, 2.5))


if __name__ == "__main__":
    sys.exit(main())
