"""Functions with long loops for checkpointed reverse mode: the state their iterations carry is
scalars, 1-D and 2-D arrays, ints and bools, swapped buffers; loops are for and while, nested,
left by break or return, inside helpers and branches, one after another."""

import math

import numpy as np


def lorenz_rk4(p, x0, n, dt):
    """A Lorenz trajectory by the classical Runge-Kutta method; the squared distance at the end."""
    x = x0.copy()
    k1 = np.zeros(3)
    k2 = np.zeros(3)
    k3 = np.zeros(3)
    k4 = np.zeros(3)
    stage = np.zeros(3)
    for step in range(n):
        lorenz_field(p, x, k1)
        for j in range(3):
            stage[j] = x[j] + 0.5 * dt * k1[j]
        lorenz_field(p, stage, k2)
        for j in range(3):
            stage[j] = x[j] + 0.5 * dt * k2[j]
        lorenz_field(p, stage, k3)
        for j in range(3):
            stage[j] = x[j] + dt * k3[j]
        lorenz_field(p, stage, k4)
        for j in range(3):
            x[j] = x[j] + dt / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
    return x[0] * x[0] + x[1] * x[1] + x[2] * x[2]


def lorenz_field(p, x, out):
    out[0] = p[0] * (x[1] - x[0])
    out[1] = x[0] * (p[1] - x[2]) - x[1]
    out[2] = x[0] * x[1] - p[2] * x[2]


def lorenz_scalars(p, n, dt):
    x = 1.0
    y = 1.0
    z = 1.0
    for i in range(n):
        dx = p[0] * (y - x)
        dy = x * (p[1] - z) - y
        dz = x * y - p[2] * z
        x = x + dt * dx
        y = y + dt * dy
        z = z + dt * dz
    return x + y * z


def burgers(u0, nu, n):
    """Viscous Burgers on a periodic 1-D grid, explicit steps into a second buffer, then swapped."""
    u = u0.copy()
    m = u.shape[0]
    v = np.zeros(m)
    for t in range(n):
        for j in range(m):
            left = u[(j - 1) % m]
            right = u[(j + 1) % m]
            v[j] = u[j] - 0.05 * u[j] * (right - left) + nu * (left - 2.0 * u[j] + right)
        tmp = u
        u = v
        v = tmp
    return np.sum(u * u)


def newton_sqrt(a):
    x = a
    k = 0
    while abs(x * x - a) > 1e-13 and k < 100:
        x = 0.5 * (x + a / x)
        k += 1
    return x


def damped_while(x, limit):
    """A while loop whose trip count depends on the data, carrying a float, an int and a bool."""
    s = x
    count = 0
    rising = True
    while s < limit and count < 10000:
        if rising:
            s = s * 1.01 + math.sin(s) * 0.01
        else:
            s = s + 0.001 * x
        rising = count % 7 != 3
        count += 1
    return s * x + count


def broken_off(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * s + i) * 0.5
        if s > 3.0:
            break
    return s * x


def returned_early(x, n):
    s = x
    for i in range(n):
        s = math.cos(s) * x + 0.01 * i
        if s > 0.9:
            return s * s
    return s


def nested_loops(w, n):
    a = w.copy()
    acc = 0.0
    for t in range(n):
        for j in range(a.shape[0]):
            a[j] = math.tanh(a[j] * w[j] + acc)
            acc = acc + a[j] * a[j] * 0.01
        k = 0
        while k < 2:
            acc = acc * 0.999 + a[k] * 0.001
            k += 1
    return acc


def matrix_state(a0, n):
    """A 2-D array carried through the loop."""
    a = a0.copy()
    for t in range(n):
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                a[i, j] = math.sin(a[i, j] + 0.1 * a[(i + 1) % a.shape[0], j]) * 1.1
    return np.sum(a * a)


def two_loops(x, n):
    s = x
    for i in range(n):
        s = s * math.cos(s) + 0.1
    t = s
    k = 0
    while k < n:
        t = t * t * 0.5 + 0.3
        k += 1
    return s * t


def loop_in_branch(x, n):
    s = x
    if x > 0.0:
        for i in range(n):
            s = math.sin(s) * x
    else:
        s = s * s
    return s


def strided(x, n):
    s = x
    for i in range(n - 1, -3, -2):
        s = s * 0.9 + math.sin(s * i) * 0.1
    return s


def stepped(x, a, n):
    """A loop over range(a, n, 3) with bounds that are not known before the call."""
    s = x
    for i in range(a, n, 3):
        s = s * 0.95 + math.exp(-s * s) * 0.1 * i
    return s


def integrate(x, n):
    """The loop sits in a helper that is inlined."""
    return helper_loop(x, n) * 2.0


def helper_loop(x, n):
    s = 0.0
    y = x
    for i in range(n):
        y = y - 0.01 * math.sin(y)
        s = s + y * y
    return s
