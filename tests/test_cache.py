"""Generated derivatives are cached on disk and shared between processes."""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).parent


def _run(cache_dir, count=1):
    env = dict(os.environ, SRCAD_CACHE_DIR=str(cache_dir),
               PYTHONPATH=os.pathsep.join([str(HERE), *sys.path]))
    procs = [
        subprocess.Popen([sys.executable, str(HERE / "examples_cache.py")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        value, g0, g1, hits, misses = out.split()
        results.append(((value, g0, g1), int(hits), int(misses)))
    return results


def test_second_process_loads_from_cache(tmp_path):
    [(first, hits1, misses1)] = _run(tmp_path)
    assert misses1 >= 1 and hits1 == 0
    generated = list(tmp_path.glob("srcad_*.py"))
    assert len(generated) == 1
    [(second, hits2, misses2)] = _run(tmp_path)
    assert second == first
    assert hits2 >= 1 and misses2 == 0


def test_concurrent_builds_do_not_corrupt_the_cache(tmp_path):
    results = _run(tmp_path, count=3)
    assert len({r[0] for r in results}) == 1
    assert len(list(tmp_path.glob("srcad_*.py"))) == 1
    assert not list(tmp_path.glob(".srcad-*"))
    [(after, hits, misses)] = _run(tmp_path)
    assert after == results[0][0]
    assert hits >= 1 and misses == 0


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    from srcad.backend import cache_dir

    monkeypatch.setenv("SRCAD_CACHE_DIR", str(tmp_path / "here"))
    assert cache_dir() == str(tmp_path / "here")
    monkeypatch.delenv("SRCAD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == str(tmp_path / "xdg" / "srcad")


KERNEL = '''
import math
import numba
import srcad


def f(x, y):
    return x * math.sin(y)


g = srcad.grad(f, wrt=(0, 1))


@numba.njit(cache=True)
def descend(x, y, steps):
    for _ in range(steps):
        gx, gy = g(x, y)
        x -= 0.1 * gx
        y -= 0.1 * gy
    return x, y


if __name__ == "__main__":
    print(repr(descend(1.0, 2.0, 10)), sum(descend.stats.cache_hits.values()))
'''


def test_a_cached_user_kernel_that_calls_a_derivative_loads_in_a_new_process(tmp_path):
    # Numba's cache of the user's kernel refers to the generated module by name.
    (tmp_path / "kernel.py").write_text(KERNEL)
    env = dict(os.environ, SRCAD_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=os.pathsep.join(sys.path))
    runs = [subprocess.run([sys.executable, str(tmp_path / "kernel.py")], env=env, capture_output=True,
                           text=True, timeout=300) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    (first, hits1), (second, hits2) = [r.stdout.rsplit(" ", 1) for r in runs]
    assert first == second
    assert int(hits1) == 0 and int(hits2) == 1
