"""Lennard-Jones forces as the negative gradient of the potential energy.

The energy is the usual double loop over pairs of particles, written once;
the forces come from ``srcad.grad`` of it, an array shaped like the
positions.  The script checks them against central finite differences of the
energy and against Newton's third law (the forces sum to zero).

    python3 examples/lennard_jones.py
"""

import numba
import numpy as np

import srcad


@numba.njit
def energy(positions, epsilon, sigma):
    """Total Lennard-Jones energy of particles at ``positions`` (n, 3)."""
    n = positions.shape[0]
    total = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r2 = 0.0
            for d in range(3):
                delta = positions[i, d] - positions[j, d]
                r2 += delta * delta
            s6 = (sigma * sigma / r2) ** 3
            total += 4.0 * epsilon * (s6 * s6 - s6)
    return total


energy_gradient = srcad.grad(energy)


def forces(positions, epsilon=1.0, sigma=1.0):
    return -energy_gradient(positions, epsilon, sigma)


def lattice(side=3, spacing=1.12, jitter=0.05, seed=0):
    """Particles on a slightly perturbed cubic lattice."""
    rng = np.random.default_rng(seed)
    grid = np.array([(i, j, k) for i in range(side) for j in range(side) for k in range(side)], dtype=np.float64)
    return grid * spacing + rng.uniform(-jitter, jitter, grid.shape)


def main():
    positions = lattice()
    f = forces(positions)
    h = 1e-6
    numeric = np.empty_like(positions)
    for index in np.ndindex(positions.shape):
        plus, minus = positions.copy(), positions.copy()
        plus[index] += h
        minus[index] -= h
        numeric[index] = -(energy(plus, 1.0, 1.0) - energy(minus, 1.0, 1.0)) / (2.0 * h)
    error = np.max(np.abs(f - numeric))
    print(f"{positions.shape[0]} particles, energy {energy(positions, 1.0, 1.0):.6f}")
    print(f"max |force| {np.max(np.abs(f)):.4f}, max deviation from finite differences {error:.2e}")
    print(f"|sum of forces| {np.linalg.norm(f.sum(axis=0)):.2e}")
    assert error <= 1e-5 * max(1.0, np.max(np.abs(numeric)))
    assert np.linalg.norm(f.sum(axis=0)) < 1e-9
    return f


if __name__ == "__main__":
    main()
