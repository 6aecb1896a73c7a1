"""``python -m srcad demo``: differentiate a loop-and-branch function and time it."""

import argparse
import math
import statistics
import sys
import time

import numpy as np


def damped_pendulum(theta0, damping, steps):
    """Energy after ``steps`` explicit steps of a pendulum with a soft stop."""
    theta = theta0
    omega = 0.0
    dt = 0.01
    for _ in range(steps):
        accel = -math.sin(theta) - damping * omega
        if abs(theta) > 1.0:
            accel -= 2.0 * (abs(theta) - 1.0) * math.copysign(1.0, theta)
        omega += dt * accel
        theta += dt * omega
    return 0.5 * omega * omega + (1.0 - math.cos(theta))


def _median_time(fn, *args, repeats=21):
    fn(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def demo(out=sys.stdout):
    import numba

    import srcad

    args = (1.3, 0.05, 5000)
    say = lambda *parts: print(*parts, file=out)  # noqa: E731
    say("srcad demo: the gradient of a damped pendulum simulation (a loop with a branch)\n")
    start = time.perf_counter()
    grad = srcad.value_and_grad(damped_pendulum, wrt=(0, 1))
    value, (d_theta0, d_damping) = grad(*args)
    built = time.perf_counter() - start
    say(f"energy(theta0=1.3, damping=0.05) = {value:.10f}")
    say(f"d energy / d theta0   = {d_theta0:+.10f}")
    say(f"d energy / d damping  = {d_damping:+.10f}")
    say(f"(built and compiled in {built:.2f} s; a second run loads it from the cache)\n")

    check = srcad.check_grad(damped_pendulum, *args, wrt=(0, 1))
    say(f"finite differences agree: {check.ok} (largest relative difference {check.max_error:.1e})\n")

    say("The generated adjoint (reverse mode) source:\n")
    say(srcad.source(grad))

    primal = numba.njit(damped_pendulum)
    t_primal = _median_time(primal, *args)
    t_grad = _median_time(grad, *args)
    say(f"primal (numba.njit):  {t_primal * 1e6:9.1f} us")
    say(f"gradient (srcad):     {t_grad * 1e6:9.1f} us   ratio {t_grad / t_primal:.2f}x the primal")
    return check.ok


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m srcad", description=__doc__)
    parser.add_argument("command", nargs="?", default="demo", choices=["demo"])
    parser.parse_args(argv)
    return 0 if demo() else 1


if __name__ == "__main__":
    sys.exit(main())
