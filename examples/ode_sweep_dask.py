"""A parameter sweep of ODE sensitivities on a Dask cluster.

The Lorenz system is integrated with a fixed-step RK4 loop, written as plain
Numba code; srcad's ``value_and_grad`` gives the time average of z and its
derivatives with respect to sigma and rho in one reverse sweep.  Each point
of a grid of (sigma, rho) is one task on a Dask worker process: the
derivative pickles by reference to ``mean_z`` and its options, and each
worker makes it again from the generated module that srcad keeps in its
cache ($SRCAD_CACHE_DIR, compiled by Numba once per machine).  The script
checks that the workers' numbers equal a serial run's, and one gradient
against central finite differences.

    pip install "srcad[distributed]"
    python3 examples/ode_sweep_dask.py

Without Dask the sweep runs serially, in this process.
"""

import os
import sys

import numba

import srcad


@numba.njit
def lorenz(x, y, z, sigma, rho, beta):
    """The Lorenz system's right-hand side."""
    return sigma * (y - x), x * (rho - z) - y, x * y - beta * z


@numba.njit
def mean_z(sigma, rho, beta, steps, dt):
    """Time average of z over ``steps`` RK4 steps from (1, 1, 20)."""
    x = 1.0
    y = 1.0
    z = 20.0
    total = 0.0
    for _ in range(steps):
        k1x, k1y, k1z = lorenz(x, y, z, sigma, rho, beta)
        k2x, k2y, k2z = lorenz(x + 0.5 * dt * k1x, y + 0.5 * dt * k1y, z + 0.5 * dt * k1z, sigma, rho, beta)
        k3x, k3y, k3z = lorenz(x + 0.5 * dt * k2x, y + 0.5 * dt * k2y, z + 0.5 * dt * k2z, sigma, rho, beta)
        k4x, k4y, k4z = lorenz(x + dt * k3x, y + dt * k3y, z + dt * k3z, sigma, rho, beta)
        x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y += dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        z += dt / 6.0 * (k1z + 2.0 * k2z + 2.0 * k3z + k4z)
        total += z
    return total / steps


BETA, STEPS, DT = 8.0 / 3.0, 300, 0.01   # three time units
GRID = [(sigma, rho) for sigma in (8.0, 10.0, 12.0) for rho in (5.0, 10.0, 15.0, 20.0, 28.0)]


def sweep_on_dask(sensitivity, path):
    """``sensitivity`` at every grid point, one task each on the workers of a local Dask cluster."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:   # a real cluster: with Client("scheduler-address:8786") as client:
        # the workers import mean_z from this file, by its module name, when they load the derivative
        # (load=False: a local cluster's scheduler runs in this process, and loading would reload it)
        client.upload_file(path, load=False)
        futures = client.map(sensitivity, *zip(*GRID), [BETA] * len(GRID), [STEPS] * len(GRID),
                             [DT] * len(GRID))
        return client.gather(futures)


def central_difference(f, args, index, h=1e-6):
    plus, minus = list(args), list(args)
    plus[index] += h
    minus[index] -= h
    return (f(*plus) - f(*minus)) / (2.0 * h)


def main():
    # this file under its own module name, which a worker can import (run as a script it is __main__)
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.append(here)
    import ode_sweep_dask as model

    sensitivity = srcad.value_and_grad(model.mean_z, wrt=(0, 1))
    serial = [sensitivity(sigma, rho, BETA, STEPS, DT) for sigma, rho in GRID]
    try:
        results = sweep_on_dask(sensitivity, model.__file__)
        where = "on 2 Dask worker processes"
    except ImportError:
        print('dask is not installed (pip install "srcad[distributed]"): the sweep runs serially')
        results, where = serial, "serially"
    assert results == serial, "the workers' derivatives differ from this process's"

    print(f"time average of z over {STEPS * DT:g} time units of Lorenz (beta = 8/3), {len(GRID)} points {where}:")
    print("  sigma   rho     <z>   d<z>/d sigma   d<z>/d rho")
    for (sigma, rho), (value, (d_sigma, d_rho)) in zip(GRID, results):
        print(f"  {sigma:5.1f} {rho:5.1f} {value:7.3f} {d_sigma:14.6f} {d_rho:12.6f}")

    args = (10.0, 15.0, BETA, STEPS, DT)
    _, gradient = results[GRID.index(args[:2])]
    for index, g in enumerate(gradient):
        fd = central_difference(model.mean_z, args, index)
        assert abs(g - fd) <= 1e-5 * max(1.0, abs(fd)), (index, g, fd)
    print("gradient at sigma = 10, rho = 15 agrees with central finite differences")
    return results


if __name__ == "__main__":
    main()
