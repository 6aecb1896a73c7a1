"""A function used by the cache tests, run in fresh processes."""

import math
import sys


def spring(k, x0, steps):
    x, v = x0, 0.0
    for _ in range(steps):
        v -= 0.01 * (k * x + 0.1 * math.sin(x))
        x += 0.01 * v
    return x * x + v * v


def main():
    import srcad

    g = srcad.value_and_grad(spring, wrt=(0, 1))
    report(g, *g(2.0, 1.0, 500))


def report(derivative, value, grads):
    """Print the result and whether Numba loaded the derivative from its cache (for the parent test)."""
    stats = derivative.__srcad__.built.last.functions["main"].stats
    print(repr(value), repr(grads[0]), repr(grads[1]), sum(stats.cache_hits.values()),
          sum(stats.cache_misses.values()))


if __name__ == "__main__":
    sys.exit(main())
