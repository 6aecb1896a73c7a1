"""Second-order differential check of one generated program: forward over reverse.

``jvp(grad(program))`` along a direction v gives ``(g, H v)``.  It is checked
against references that share no code path with it: ``g`` against the first-
order gradient, ``H v`` against central differences of that gradient along v
(trusted only where two step sizes agree), and the symmetry of the Hessian,
``<w, H v> == <v, H w>`` for a second direction w.

    python3 tests/second_order_check.py --count 200 [--compiled 10]

prints how many programs agreed, were refused, crashed or were wrong.
"""

import argparse
import collections
import tempfile
import traceback

import numpy as np

import differential_check as first_order
import differential_programs as gen

OK, REFUSED, CRASH, WRONG, INVALID = (first_order.OK, first_order.REFUSED, first_order.CRASH, first_order.WRONG,
                                      first_order.INVALID)
FD_STEPS = (1e-5, 1e-6)
FD_RTOL = 1e-5
SYMMETRY_RTOL = 1e-8


def _inner(a, b):
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(a, b))


def _combined(parts_a, parts_b, h):
    return tuple(np.asarray(x) + h * np.asarray(y) for x, y in zip(parts_a, parts_b))


def check(text, seed, directory):
    """Forward over reverse on the program ``text`` at the inputs of ``seed``: an :class:`Outcome`."""
    import srcad
    from srcad.errors import SrcadError

    args, direction = gen.inputs(seed)
    other = gen.inputs(seed + 7919)[1]
    try:
        program = first_order.load(text, directory)
        if not np.isfinite(program(*first_order._copies(args))):
            return first_order.Outcome(INVALID, "primal not finite")
    except Exception as error:  # noqa: BLE001 - the generator's fault
        return first_order.Outcome(INVALID, f"primal: {type(error).__name__}: {error}")
    try:
        gradient = srcad.grad(program, wrt=gen.WRT)
        second = srcad.jvp(gradient, wrt=gen.WRT)
        g, hv = second(*first_order._copies(args), *direction)
        _, hw = second(*first_order._copies(args), *other)
        g_first = gradient(*first_order._copies(args))
    except SrcadError as error:
        message = str(error)
        category = CRASH if "Numba could not compile" in message else REFUSED
        return first_order.Outcome(category, message.splitlines()[0][:200])
    except Exception as error:  # noqa: BLE001 - every other exception is a crash
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return first_order.Outcome(CRASH, f"{type(error).__name__}: {str(error)[:160]} (in {frame.name})")
    for got, expected in zip(g, g_first):
        if not np.allclose(got, expected, rtol=1e-12, atol=1e-12):
            return first_order.Outcome(WRONG, "the gradient of forward over reverse is not the gradient")
    left, right = _inner(other, hv), _inner(direction, hw)
    if abs(left - right) > SYMMETRY_RTOL * max(1.0, abs(left), abs(right)):
        return first_order.Outcome(WRONG, f"Hessian not symmetric: <w, H v> = {left!r}, <v, H w> = {right!r}")

    def moved(h):
        a, x, m, p, n = args
        da, dx, dm = direction
        return (a + h * da, x + h * dx, m + h * dm, p.copy(), n)

    estimates = []
    for h in FD_STEPS:
        plus, minus = gradient(*moved(h)), gradient(*moved(-h))
        estimates.append(tuple((np.asarray(p) - np.asarray(q)) / (2 * h) for p, q in zip(plus, minus)))
    scale = max(1.0, max(float(np.max(np.abs(e))) for e in estimates[1]))
    if max(float(np.max(np.abs(p - q))) for p, q in zip(*estimates)) > 10 * FD_RTOL * scale:
        return first_order.Outcome(OK, "finite differences ill-conditioned: not compared")
    error = max(float(np.max(np.abs(np.asarray(p) - q))) for p, q in zip(hv, estimates[1]))
    if error > 100 * FD_RTOL * scale:
        return first_order.Outcome(WRONG, f"H v differs from differences of the gradient by {error:.3e}")
    return first_order.Outcome(OK)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=0)
    options = parser.parse_args(argv)
    counts = collections.Counter()
    examples = {}
    with tempfile.TemporaryDirectory() as directory:
        for seed in range(options.first_seed, options.first_seed + options.count):
            text = gen.random_program(seed)
            outcome = check(text, seed, directory)
            counts[outcome.category] += 1
            if outcome.category in (WRONG, CRASH, REFUSED):
                examples.setdefault((outcome.category, outcome.detail[:60]), (seed, outcome.detail))
    print(dict(counts))
    for (category, _), (seed, detail) in sorted(examples.items()):
        print(f"{category} (seed {seed}): {detail}")


if __name__ == "__main__":
    main()
