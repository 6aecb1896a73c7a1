"""Functions whose derivatives test_pickling.py pickles: module-level, so that worker processes import them."""

import math

import numpy as np

import srcad


def oscillator_loss(params, steps):
    """Energy of a damped oscillator x'' = -k x - c x' after ``steps`` RK4 steps, params = (k, c)."""
    k = params[0]
    c = params[1]
    x = 1.0
    v = 0.0
    dt = 0.05
    for _ in range(steps):
        k1x = v
        k1v = -k * x - c * v
        k2x = v + 0.5 * dt * k1v
        k2v = -k * (x + 0.5 * dt * k1x) - c * k2x
        k3x = v + 0.5 * dt * k2v
        k3v = -k * (x + 0.5 * dt * k2x) - c * k3x
        k4x = v + dt * k3v
        k4v = -k * (x + dt * k3x) - c * k4x
        x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        v += dt / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    return 0.5 * (k * x * x + v * v)


def scaled(x, y):
    return math.sin(x) * y + x * x * y


def with_aux(x):
    return np.sum(x * x), np.max(x)


def energy(x):
    return np.sum(x * x * x) + x[0] * x[1]


def field(x):
    return np.sin(x) * x[0]


@srcad.grad
def decorated(x, y):
    return math.sin(x) * y + x * x


def call(derivative, *args):
    """``derivative(*args)``: a task for schedulers that take only plain functions (Ray)."""
    return derivative(*args)
