"""Many small derivatives at once: ``srcad.batch`` on CPU cores or a CUDA GPU.

    python3 benchmarks/bench_cuda.py --target parallel        # all CPU cores (prange)
    python3 benchmarks/bench_cuda.py --target cuda            # one CUDA GPU
    python3 benchmarks/bench_cuda.py --target parallel --quick
    NUMBA_ENABLE_CUDASIM=1 python3 benchmarks/bench_cuda.py --target cuda --quick   # the kernels, simulated

Three problems, one item a thread (or a ``prange`` iteration):

- Black-Scholes delta and vega (reverse mode, one sweep) of many European calls;
- gradients of independent Lorenz RK4 trajectories (1000 steps each) with
  respect to their parameters (sigma, rho, beta), in reverse mode with a tape
  per trajectory;
- Lennard-Jones forces on 4096 particles (the gradient of each particle's
  energy with respect to its position; the other positions are shared).

For each: the primal (the function over the items, compiled by Numba for the
target), srcad's derivative (``srcad.batch``), a hand-written derivative
compiled for the same target (closed forms for Black-Scholes and
Lennard-Jones, a taped adjoint for Lorenz) and, when installed, JAX
(``jit(vmap(grad))``) on its default device.  Each derivative is checked
against the hand-written one first.  Times are medians of repeated calls
after a warm-up; on CUDA the arguments live on the device and every call
ends with a synchronization.  The simulator checks the kernels only: its
times mean nothing.
"""

import argparse
import math
import os
import statistics
import sys
import time

import numba
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import srcad  # noqa: E402

SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
cuda = None   # numba.cuda, imported for --target cuda only

# ----------------------------------------------------------------------------- the functions srcad differentiates


@numba.njit   # srcad reads it and inlines it; the primals call it compiled
def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def call_price(spot, strike, rate, volatility, maturity):
    root_t = math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility * volatility) * maturity) / (volatility * root_t)
    d2 = d1 - volatility * root_t
    return spot * normal_cdf(d1) - strike * math.exp(-rate * maturity) * normal_cdf(d2)


def lorenz_loss(sigma, rho, beta, x, y, z, dt, steps):
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


def particle_energy(x, y, z, i, xs, ys, zs, epsilon, sigma):
    """Lennard-Jones energy of particle i at (x, y, z) with all the others."""
    e = 0.0
    s2 = sigma * sigma
    for j in range(xs.shape[0]):
        if j != i:
            dx = x - xs[j]
            dy = y - ys[j]
            dz = z - zs[j]
            q = s2 / (dx * dx + dy * dy + dz * dz)
            s6 = q * q * q
            e += 4.0 * epsilon * (s6 * s6 - s6)
    return e


# ----------------------------------------------------------------------------- primals and hand-written derivatives
# Plain @njit functions of one item: Numba compiles them for the CPU, and for CUDA when a kernel calls them.

call_price_jit = numba.njit(call_price)
lorenz_loss_jit = numba.njit(lorenz_loss)
particle_energy_jit = numba.njit(particle_energy)


@numba.njit
def greeks_hand(spot, strike, rate, volatility, maturity):
    """delta = N(d1), vega = S phi(d1) sqrt(T)."""
    root_t = math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility * volatility) * maturity) / (volatility * root_t)
    return 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0))), spot * math.exp(-0.5 * d1 * d1) / math.sqrt(2.0 * math.pi) * root_t


@numba.njit
def lorenz_grad_hand(sigma, rho, beta, x, y, z, dt, steps, tape):
    """Adjoint of lorenz_loss w.r.t. (sigma, rho, beta): the forward sweep stores the state and the three RK4
    stage states of every step (12 floats) in ``tape``, the reverse sweep pulls the adjoint back through them."""
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
        b = 12 * n
        tape[b] = x
        tape[b + 1] = y
        tape[b + 2] = z
        tape[b + 3] = ax
        tape[b + 4] = ay
        tape[b + 5] = az
        tape[b + 6] = bx
        tape[b + 7] = by
        tape[b + 8] = bz
        tape[b + 9] = cx
        tape[b + 10] = cy
        tape[b + 11] = cz
        x = x + w * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + w * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        z = z + w * (k1z + 2.0 * k2z + 2.0 * k3z + k4z)
    xb = 2.0 * x
    yb = 2.0 * y
    zb = 2.0 * z
    sb = 0.0
    rb = 0.0
    bb = 0.0
    for n in range(steps - 1, -1, -1):
        b = 12 * n
        x = tape[b]
        y = tape[b + 1]
        z = tape[b + 2]
        ax = tape[b + 3]
        ay = tape[b + 4]
        az = tape[b + 5]
        bx = tape[b + 6]
        by = tape[b + 7]
        bz = tape[b + 8]
        cx = tape[b + 9]
        cy = tape[b + 10]
        cz = tape[b + 11]
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
        sb += (y - x) * k1xb
        rb += x * k1yb
        bb -= z * k1zb
        xb += -sigma * k1xb + (rho - z) * k1yb + y * k1zb
        yb += sigma * k1xb - k1yb + x * k1zb
        zb += -x * k1yb - beta * k1zb
    return sb, rb, bb


@numba.njit
def particle_gradient_hand(x, y, z, i, xs, ys, zs, epsilon, sigma):
    """d(particle_energy)/d(x, y, z): V'(r)/r times the separation, summed over the others."""
    gx = 0.0
    gy = 0.0
    gz = 0.0
    s2 = sigma * sigma
    for j in range(xs.shape[0]):
        if j != i:
            dx = x - xs[j]
            dy = y - ys[j]
            dz = z - zs[j]
            inv = 1.0 / (dx * dx + dy * dy + dz * dz)
            q = s2 * inv
            s6 = q * q * q
            c = 4.0 * epsilon * (-12.0 * s6 * s6 + 6.0 * s6) * inv
            gx += c * dx
            gy += c * dy
            gz += c * dz
    return gx, gy, gz


# ----------------------------------------------------------------------------- drivers over the items, per target


def cpu_drivers():
    """(primal, hand) drivers of each problem over its items with prange."""

    @numba.njit(parallel=True)
    def bs_primal(spots, strike, rate, vols, maturity, out):
        for i in numba.prange(spots.shape[0]):
            out[i] = call_price_jit(spots[i], strike, rate, vols[i], maturity)

    @numba.njit(parallel=True)
    def bs_hand(spots, strike, rate, vols, maturity, delta, vega):
        for i in numba.prange(spots.shape[0]):
            delta[i], vega[i] = greeks_hand(spots[i], strike, rate, vols[i], maturity)

    @numba.njit(parallel=True)
    def lorenz_primal(sigmas, rhos, betas, x, y, z, dt, steps, out):
        for i in numba.prange(sigmas.shape[0]):
            out[i] = lorenz_loss_jit(sigmas[i], rhos[i], betas[i], x, y, z, dt, steps)

    @numba.njit(parallel=True)
    def lorenz_hand(sigmas, rhos, betas, x, y, z, dt, steps, out):
        for i in numba.prange(sigmas.shape[0]):
            tape = np.empty(12 * steps)
            out[i, 0], out[i, 1], out[i, 2] = lorenz_grad_hand(sigmas[i], rhos[i], betas[i], x, y, z, dt, steps,
                                                               tape)

    @numba.njit(parallel=True)
    def lj_primal(xs, ys, zs, index, epsilon, sigma, out):
        for i in numba.prange(xs.shape[0]):
            out[i] = particle_energy_jit(xs[i], ys[i], zs[i], index[i], xs, ys, zs, epsilon, sigma)

    @numba.njit(parallel=True)
    def lj_hand(xs, ys, zs, index, epsilon, sigma, out):
        for i in numba.prange(xs.shape[0]):
            out[i, 0], out[i, 1], out[i, 2] = particle_gradient_hand(xs[i], ys[i], zs[i], index[i], xs, ys, zs,
                                                                     epsilon, sigma)

    return {"bs": (bs_primal, bs_hand), "lorenz": (lorenz_primal, lorenz_hand), "lj": (lj_primal, lj_hand)}


def cuda_drivers():
    """The same on a GPU: one thread an item (the Lorenz adjoint's tape a column of a slab [12 steps, items])."""
    global cuda   # a module global, as the simulator needs to give each kernel thread its view of it
    from numba import cuda

    # device functions of the same Python (the simulator cannot pass its arrays to CPU-compiled functions)
    call_price_d, greeks_d, lorenz_d, lorenz_grad_d, energy_d, gradient_d = (
        cuda.jit(device=True)(f.py_func) for f in (call_price_jit, greeks_hand, lorenz_loss_jit, lorenz_grad_hand,
                                                   particle_energy_jit, particle_gradient_hand))

    @cuda.jit
    def bs_primal(spots, strike, rate, vols, maturity, out):
        i = cuda.grid(1)
        if i < spots.shape[0]:
            out[i] = call_price_d(spots[i], strike, rate, vols[i], maturity)

    @cuda.jit
    def bs_hand(spots, strike, rate, vols, maturity, delta, vega):
        i = cuda.grid(1)
        if i < spots.shape[0]:
            delta[i], vega[i] = greeks_d(spots[i], strike, rate, vols[i], maturity)

    @cuda.jit
    def lorenz_primal(sigmas, rhos, betas, x, y, z, dt, steps, out):
        i = cuda.grid(1)
        if i < sigmas.shape[0]:
            out[i] = lorenz_d(sigmas[i], rhos[i], betas[i], x, y, z, dt, steps)

    @cuda.jit
    def lorenz_hand(sigmas, rhos, betas, x, y, z, dt, steps, out, slab):
        i = cuda.grid(1)
        if i < sigmas.shape[0]:
            out[i, 0], out[i, 1], out[i, 2] = lorenz_grad_d(sigmas[i], rhos[i], betas[i], x, y, z, dt, steps,
                                                               slab[:, i])

    @cuda.jit
    def lj_primal(xs, ys, zs, index, epsilon, sigma, out):
        i = cuda.grid(1)
        if i < xs.shape[0]:
            out[i] = energy_d(xs[i], ys[i], zs[i], index[i], xs, ys, zs, epsilon, sigma)

    @cuda.jit
    def lj_hand(xs, ys, zs, index, epsilon, sigma, out):
        i = cuda.grid(1)
        if i < xs.shape[0]:
            out[i, 0], out[i, 1], out[i, 2] = gradient_d(xs[i], ys[i], zs[i], index[i], xs, ys, zs,
                                                                     epsilon, sigma)

    def launch(kernel):
        def run(*args):
            n = args[0].shape[0]
            kernel[(n + 127) // 128, 128](*args)
        return run

    return {"bs": (launch(bs_primal), launch(bs_hand)), "lorenz": (launch(lorenz_primal), launch(lorenz_hand)),
            "lj": (launch(lj_primal), launch(lj_hand))}


# ----------------------------------------------------------------------------- JAX, when installed


def jax_functions():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def price(spot, strike, rate, vol, maturity):
        root_t = jnp.sqrt(maturity)
        d1 = (jnp.log(spot / strike) + (rate + 0.5 * vol * vol) * maturity) / (vol * root_t)
        d2 = d1 - vol * root_t
        cdf = lambda v: 0.5 * (1.0 + jax.scipy.special.erf(v / jnp.sqrt(2.0)))  # noqa: E731
        return spot * cdf(d1) - strike * jnp.exp(-rate * maturity) * cdf(d2)

    def lorenz(sigma, rho, beta, x, y, z, dt, steps):
        h = 0.5 * dt

        def f(s):
            return jnp.stack([sigma * (s[1] - s[0]), s[0] * (rho - s[2]) - s[1], s[0] * s[1] - beta * s[2]])

        def step(s, _):
            k1 = f(s)
            k2 = f(s + h * k1)
            k3 = f(s + h * k2)
            k4 = f(s + dt * k3)
            return s + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4), None

        s, _ = jax.lax.scan(step, jnp.stack([x, y, z]), None, length=steps)
        return jnp.sum(s * s)

    def energy(x, y, z, i, xs, ys, zs, epsilon, sigma):
        dx, dy, dz = x - xs, y - ys, z - zs
        r2 = jnp.where(jnp.arange(xs.shape[0]) == i, 1.0, dx * dx + dy * dy + dz * dz)
        s6 = (sigma * sigma / r2) ** 3
        return jnp.sum(jnp.where(jnp.arange(xs.shape[0]) == i, 0.0, 4.0 * epsilon * (s6 * s6 - s6)))

    return {
        "bs": jax.jit(jax.vmap(jax.grad(price, argnums=(0, 3)), in_axes=(0, None, None, 0, None))),
        "lorenz": jax.jit(jax.vmap(jax.grad(lorenz, argnums=(0, 1, 2)), in_axes=(0, 0, 0) + (None,) * 5),
                          static_argnums=(7,)),
        "lj": jax.jit(jax.vmap(jax.grad(energy, argnums=(0, 1, 2)), in_axes=(0, 0, 0, 0) + (None,) * 5)),
    }


# ----------------------------------------------------------------------------- measuring


def median_time(call, sync, repeats):
    call()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def problems(quick, target):
    gpu = target == "cuda" and not SIMULATED
    rng = np.random.default_rng(0)
    n_options = 4096 if quick else 10 ** 7 if gpu else 10 ** 6
    n_traj = 64 if quick else 10 ** 5 if gpu else 2000
    steps = 50 if quick else 1000
    n_particles = 256 if quick else 4096
    side = round(n_particles ** (1 / 3)) + 1
    grid = np.array([(a, b, c) for a in range(side) for b in range(side) for c in range(side)][:n_particles], float)
    positions = 1.12 * grid + 0.05 * rng.normal(size=grid.shape)
    return {
        "bs": dict(title=f"Black-Scholes delta and vega, {n_options:.0e} options", n=n_options,
                   args=(80.0 + 40.0 * rng.random(n_options), 100.0, 0.03, 0.1 + 0.4 * rng.random(n_options), 0.75),
                   func=call_price, wrt=(0, 3), shared=(1, 2, 4)),
        "lorenz": dict(title=f"Lorenz RK4 gradients, {n_traj} trajectories x {steps} steps", n=n_traj,
                       args=(10.0 + rng.random(n_traj), 15.0 + rng.random(n_traj), 8.0 / 3.0 + 0.1 * rng.random(n_traj),
                             1.0, 1.0, 1.0, 0.001, steps),
                       func=lorenz_loss, wrt=(0, 1, 2), shared=(3, 4, 5, 6, 7)),
        "lj": dict(title=f"Lennard-Jones forces, {n_particles} particles", n=n_particles,
                   args=(positions[:, 0].copy(), positions[:, 1].copy(), positions[:, 2].copy(),
                         np.arange(n_particles), 1.0, 1.0),
                   func=particle_energy, wrt=(0, 1, 2), shared=()),
    }


def run(target, quick, repeats):
    if target == "cuda":
        from numba import cuda

        drivers, sync, to_device = cuda_drivers(), cuda.synchronize, cuda.to_device
        empty = cuda.device_array
    else:
        drivers, sync, to_device, empty = cpu_drivers(), (lambda: None), (lambda a: a), np.empty
    jax_fns = None if quick or target == "cuda" and SIMULATED else jax_functions()
    rows = []
    for key, p in problems(quick, target).items():
        args, n = p["args"], p["n"]
        if key == "lj":
            xs, ys, zs, index, epsilon, sigma = args
            dev = [to_device(a) for a in (xs, ys, zs, index)]
            batch_args = (*dev, dev[0], dev[1], dev[2], epsilon, sigma)   # item i: its position, then all of them
            shared = (4, 5, 6, 7, 8)
        else:
            batch_args = tuple(to_device(a) if isinstance(a, np.ndarray) else a for a in args)
            shared = p["shared"]
        derivative = srcad.batch(srcad.grad(p["func"], wrt=p["wrt"], target=target), shared=shared)
        primal, hand = drivers[key]
        out = empty(n)
        outs = empty((n, 3)) if key != "bs" else (empty(n), empty(n))
        if key == "bs":
            def run_primal():
                primal(*batch_args, out)

            def run_hand():
                hand(*batch_args, *outs)
        elif key == "lorenz":
            slab = empty((12 * args[7], n)) if target == "cuda" else None

            def run_primal():
                primal(*batch_args, out)

            def run_hand():
                hand(*batch_args, outs, *(() if slab is None else (slab,)))
        else:
            def run_primal():
                primal(*batch_args[:4], epsilon, sigma, out)

            def run_hand():
                hand(*batch_args[:4], epsilon, sigma, outs)

        # check srcad against the hand-written derivative before timing
        ours = derivative(*batch_args)
        run_hand()
        sync()
        ours = [np.asarray(o.copy_to_host() if hasattr(o, "copy_to_host") else o) for o in ours]
        theirs = ([o.copy_to_host() for o in outs] if key == "bs" and target == "cuda" else
                  list(outs) if key == "bs" else list((outs.copy_to_host() if target == "cuda" else outs).T))
        for a, b in zip(ours, theirs):
            assert np.allclose(a, b, rtol=1e-9, atol=1e-12), (key, np.max(np.abs(a - b)))
        times = {
            "primal": median_time(run_primal, sync, repeats),
            "srcad": median_time(lambda: derivative(*batch_args), sync, repeats),
            "hand-written": median_time(run_hand, sync, repeats),
        }
        if jax_fns is not None:
            import jax

            jargs = tuple(jax.device_put(a) if isinstance(a, np.ndarray) else a for a in args)
            if key == "lj":
                jargs = (*jargs[:4], jargs[0], jargs[1], jargs[2], args[4], args[5])
            fn = jax_fns[key]
            times["JAX"] = median_time(lambda: jax.block_until_ready(fn(*jargs)), lambda: None, repeats)
        rows.append((p["title"], n, times))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=("parallel", "cuda"), default="parallel")
    parser.add_argument("--quick", action="store_true", help="small sizes (and the simulator's)")
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args(argv)
    where = "the CUDA simulator (times mean nothing)" if options.target == "cuda" and SIMULATED else \
        f"{numba.get_num_threads()} CPU threads" if options.target == "parallel" else "a CUDA GPU"
    print(f"srcad.batch on target {options.target!r}, {where}; medians of {options.repeats} calls")
    for title, n, times in run(options.target, options.quick, 1 if SIMULATED else options.repeats):
        print(f"\n{title}")
        print(f"  {'':14} {'time':>10} {'items/s':>12} {'/ primal':>9} {'/ hand':>7}")
        for name, seconds in times.items():
            print(f"  {name:14} {seconds * 1e3:8.2f} ms {n / seconds:12.3e} {seconds / times['primal']:9.2f} "
                  f"{seconds / times['hand-written']:7.2f}")


if __name__ == "__main__":
    main()
