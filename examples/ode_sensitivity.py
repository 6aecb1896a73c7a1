"""Parameter sensitivity of an ODE: a damped oscillator integrated with RK4.

The model x'' = -k x - c x' is integrated with a fixed-step fourth-order
Runge-Kutta loop, written as ordinary Numba code.  srcad differentiates the
whole integration: the gradient of a loss on the final state with respect to
the stiffness ``k``, the damping ``c`` and the initial position, in one
reverse sweep.  The script checks the gradient against central finite
differences and prints both.

    python3 examples/ode_sensitivity.py
"""

import numba

import srcad


@numba.njit
def rhs(x, v, k, c):
    """The oscillator's right-hand side: (dx/dt, dv/dt)."""
    return v, -k * x - c * v


@numba.njit
def final_loss(k, c, x0, steps, dt):
    """Squared distance of the state after ``steps`` RK4 steps from (0.5, 0)."""
    x = x0
    v = 0.0
    for _ in range(steps):
        k1x, k1v = rhs(x, v, k, c)
        k2x, k2v = rhs(x + 0.5 * dt * k1x, v + 0.5 * dt * k1v, k, c)
        k3x, k3v = rhs(x + 0.5 * dt * k2x, v + 0.5 * dt * k2v, k, c)
        k4x, k4v = rhs(x + dt * k3x, v + dt * k3v, k, c)
        x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        v += dt / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    return (x - 0.5) ** 2 + v * v


sensitivity = srcad.value_and_grad(final_loss, wrt=(0, 1, 2))


def central_difference(f, args, index, h=1e-6):
    plus, minus = list(args), list(args)
    plus[index] += h
    minus[index] -= h
    return (f(*plus) - f(*minus)) / (2.0 * h)


def main():
    args = (2.0, 0.3, 1.0, 500, 0.01)   # k, c, x0, steps, dt: five time units
    loss, gradient = sensitivity(*args)
    numeric = tuple(central_difference(final_loss, args, i) for i in range(3))
    print(f"loss after {args[3]} RK4 steps: {loss:.6f}")
    for name, g, fd in zip(("k", "c", "x0"), gradient, numeric):
        print(f"  d loss / d {name:2s} = {g: .8f}   (finite differences {fd: .8f})")
        assert abs(g - fd) <= 1e-6 * max(1.0, abs(fd)), (name, g, fd)
    return gradient


if __name__ == "__main__":
    main()
