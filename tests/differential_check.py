"""Differential check of one generated program, and a campaign over many.

The references do not come from srcad: the value is the primal run as plain
Python, and the derivative is checked three ways that share no code path of
the transforms' own: reverse mode (the gradient) against forward mode (a
directional derivative along a random direction, ``<g, v> == J v``), and both
against central finite differences along the same direction.  Finite
differences are trusted only where two step sizes agree, which skips
programs that cross a kink or an integer boundary within the step.

Derivatives run either as plain Python (``py_func`` of the generated code:
fast, and strict about undefined names and out-of-bounds indices) or compiled
by Numba through the public API.

Run a campaign, printing a summary by failure class and writing each failing
program to a folder::

    python3 tests/differential_check.py --count 2000 [--compiled 100] [--features all|main] [--out DIR]

and reduce one of them to the statements its failure needs::

    python3 tests/differential_check.py --reduce DIR/plain_022_1432.py
"""

import argparse
import collections
import dataclasses
import hashlib
import importlib.util
import math
import pathlib
import tempfile
import traceback

import numpy as np

import differential_programs as gen


# outcome categories
OK = "ok"
REFUSED = "refused"      # srcad.UnsupportedError (or another SrcadError at build time): a clear refusal
CRASH = "crash"          # any other exception, Numba compile failures included
WRONG = "wrong"          # a value or a derivative that disagrees with its reference
INVALID = "invalid"      # the primal itself failed: a generator problem, not srcad's

VALUE_RTOL = 1e-12
MODES_RTOL = 1e-9
FD_RTOL = 1e-5
FD_STEPS = (1e-5, 1e-6)


class Outcome:
    """What happened to one program: a category and a one-line explanation."""

    def __init__(self, category, detail=""):
        self.category = category
        self.detail = detail

    def __repr__(self):
        return f"Outcome({self.category!r}, {self.detail!r})"


def load(text, directory):
    """Write ``text`` as a module in ``directory`` (srcad reads functions from files) and import it."""
    name = "generated_" + hashlib.sha1(text.encode()).hexdigest()[:16]
    path = pathlib.Path(directory) / f"{name}.py"
    if not path.exists():
        path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.program


def _types():
    from srcad.analysis import ArrayType

    return ("float", ArrayType("float64", 1), ArrayType("float64", 2), ArrayType("int64", 1), "int")


def _copies(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _moved(args, direction, h):
    a, x, m, p, n = args
    da, dx, dm = direction
    return a + h * da, x + h * dx, m + h * dm, p.copy(), n


def _plain_derivatives(program, args, direction):
    """(value, gradient tuple) from reverse mode and (value, directional) from forward mode, as plain Python."""
    from fd import plain, taped_reverse
    from srcad.api import Transformation

    reverse = taped_reverse(Transformation(program, "value_and_grad", gen.WRT).specialize(_types()))
    forward = plain(Transformation(program, "jvp", gen.WRT).specialize(_types()).functions["main"])
    run_args = _copies(args)
    value, grads, fneeded, ineeded = reverse(*run_args, 1.0, np.empty(4), np.empty(4, np.int64))
    if fneeded > 4 or ineeded > 4:
        run_args = _copies(args)
        value, grads, _, _ = reverse(*run_args, 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    forward_args = _copies(args)
    forward_value, directional = forward(*forward_args, *direction)
    return (value, grads), (forward_value, directional), run_args + forward_args


def _compiled_derivatives(program, args, direction):
    import srcad

    run_args = _copies(args)
    value, grads = srcad.value_and_grad(program, wrt=gen.WRT)(*run_args)
    forward_args = _copies(args)
    forward_value, directional = srcad.jvp(program, wrt=gen.WRT)(*forward_args, *direction)
    return (value, grads), (forward_value, directional), run_args + forward_args


def _numba_reason(message):
    """The line of a Numba compilation error that names its cause, without terminal colours."""
    import re

    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in message.splitlines()]
    for line in lines:
        causes = ("rror", "nsupported", "ntyped", "annot", "not defined")
        if line and not line.startswith(("Numba could not", "Failed in", "During:", "File ")) and \
                any(cause in line for cause in causes):
            return line[:200]
    return next((line for line in reversed(lines) if line), "")[:200]


def _close(a, b, rtol):
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def check(text, seed, directory, compiled=False):
    """Differentiate the program ``text`` at the inputs of ``seed``; an :class:`Outcome`."""
    from srcad.errors import SrcadError

    args, direction = gen.inputs(seed)
    try:
        program = load(text, directory)
        expected = program(*_copies(args))
        if not math.isfinite(expected):
            return Outcome(INVALID, f"primal value {expected}")
    except Exception as error:  # noqa: BLE001 - the generator's fault, reported as such
        return Outcome(INVALID, f"primal: {type(error).__name__}: {error}")
    try:
        derivatives = _compiled_derivatives if compiled else _plain_derivatives
        (value, grads), (forward_value, directional), after = derivatives(program, args, direction)
    except SrcadError as error:
        message = str(error)
        if "Numba could not compile" in message:
            return Outcome(CRASH, f"numba: {_numba_reason(message)}")
        return Outcome(REFUSED, message.splitlines()[0][:200])
    except Exception as error:  # noqa: BLE001 - every other exception is a crash
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Outcome(CRASH, f"{type(error).__name__}: {str(error)[:160]} (in {pathlib.Path(frame.filename).name})")
    for before, later in zip(_copies(args) * 2, after):
        if isinstance(before, np.ndarray) and not np.array_equal(before, later):
            return Outcome(WRONG, "an argument array was modified")
    if not _close(value, expected, VALUE_RTOL) or not _close(forward_value, expected, VALUE_RTOL):
        return Outcome(WRONG, f"value: primal {expected!r}, reverse {value!r}, forward {forward_value!r}")
    projected = sum(float(np.sum(np.asarray(g) * np.asarray(d))) for g, d in zip(grads, direction))
    if not _close(projected, directional, MODES_RTOL):
        return Outcome(WRONG, f"reverse <g, v> = {projected!r} but forward J v = {directional!r}")
    differences = [(program(*_moved(args, direction, h)) - program(*_moved(args, direction, -h))) / (2 * h)
                   for h in FD_STEPS]
    if not _close(differences[0], differences[1], FD_RTOL):
        return Outcome(OK, "finite differences ill-conditioned: not compared")
    if not _close(directional, differences[1], 10 * FD_RTOL):
        return Outcome(WRONG, f"derivative: forward and reverse {directional!r}, finite differences "
                              f"{differences[1]!r}")
    return Outcome(OK)


def failure_class(outcome):
    """A short key grouping outcomes with the same cause (names of temporaries and numbers dropped)."""
    import re

    detail = re.sub(r"srcad_[0-9a-f]+\.py", "generated code", outcome.detail)
    detail = re.sub(r"\S*generated_[0-9a-f]+\.py:\d+: ", "", detail)
    detail = re.sub(r"'_?[a-z]+\d+'", "'<name>'", detail)
    detail = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", detail)
    if outcome.category == WRONG:
        detail = detail.split(":")[0]
    return f"{outcome.category}: {detail[:120]}"


def campaign(count, compiled_count, features, out, first_seed=0):
    """Run ``count`` programs as plain Python and ``compiled_count`` compiled; print a summary."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="srcad-differential-"))
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for label, total, compiled in (("plain Python", count, False), ("compiled", compiled_count, True)):
        if not total:
            continue
        counts = collections.Counter()
        classes = collections.defaultdict(list)
        for seed in range(first_seed, first_seed + total):
            text = gen.random_program(seed, features)
            outcome = check(text, seed, directory, compiled)
            counts[outcome.category] += 1
            if outcome.category != OK:
                classes[failure_class(outcome)].append(seed)
            if outcome.category in (CRASH, WRONG, INVALID):
                (out / f"{'compiled' if compiled else 'plain'}_{len(text.splitlines()):03d}_{seed}.py").write_text(
                    f"# seed {seed}: {outcome.category}: {outcome.detail}\n{text}")
        print(f"== {label}: {total} programs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for key, seeds in sorted(classes.items(), key=lambda item: -len(item[1])):
            print(f"  {len(seeds):5d}  {key}   seeds {seeds[:6]}")


def shrink(features, pattern, max_examples):
    """The smallest program (and input seed) whose failure class contains ``pattern``, by Hypothesis."""
    from hypothesis import HealthCheck, find, settings, strategies as st

    directory = pathlib.Path(tempfile.mkdtemp(prefix="srcad-shrink-"))

    def fails(case):
        text, seed = case
        outcome = check(text, seed, directory)
        return outcome.category in (CRASH, WRONG) and pattern in failure_class(outcome)

    text, seed = find(st.tuples(gen.programs(features), st.integers(0, 50)), fails,
                      settings=settings(max_examples=max_examples, database=None, deadline=None,
                                        suppress_health_check=list(HealthCheck)))
    print(f"# input seed {seed}: {check(text, seed, directory)}\n{text}")


def reduce_text(text, seed, directory, compiled=False):
    """Delete statements (with the blocks they head) from ``text`` while its failure class stays the same."""
    import ast

    target = failure_class(check(text, seed, directory, compiled))
    lines = text.splitlines()
    changed = True
    while changed:
        changed = False
        i = 0
        while i < len(lines):
            indent = len(lines[i]) - len(lines[i].lstrip())
            end = i + 1
            while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) > indent:
                end += 1
            candidate = lines[:i] + lines[end:]
            try:
                ast.parse("\n".join(candidate))
                keep = lines[i].strip() and not lines[i].startswith(("import", "def ")) and \
                    failure_class(check("\n".join(candidate) + "\n", seed, directory, compiled)) == target
            except SyntaxError:
                keep = False
            if keep:
                lines, changed = candidate, True
            else:
                i += 1
    return "\n".join(lines) + "\n", target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--compiled", type=int, default=0)
    parser.add_argument("--features", choices=("all", "main", "none"), default="all",
                        help="the generator's features: all, those passing on main, or none (with --enable)")
    parser.add_argument("--enable", default="", help="comma-separated features switched on over --features")
    parser.add_argument("--disable", default="", help="comma-separated features switched off")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--reduce", metavar="FILE",
                        help="delete statements of a failing program (a file the campaign wrote) while it fails alike")
    parser.add_argument("--shrink", metavar="PATTERN",
                        help="print the smallest program whose failure class contains PATTERN")
    parser.add_argument("--out", default=str(pathlib.Path(tempfile.gettempdir()) / "srcad-differential-failures"))
    options = parser.parse_args(argv)
    features = {"all": gen.ALL, "main": gen.PASSING_ON_MAIN, "none": gen.NONE}[options.features]
    changes = {name: True for name in options.enable.split(",") if name}
    changes.update({name: False for name in options.disable.split(",") if name})
    features = dataclasses.replace(features, **changes)
    if options.reduce:
        text = pathlib.Path(options.reduce).read_text()
        seed = int(text.split()[2].rstrip(":")) if text.startswith("# seed") else options.first_seed
        directory = tempfile.mkdtemp(prefix="srcad-reduce-")
        reduced, target = reduce_text(text, seed, directory, compiled="compiled_" in options.reduce)
        return print(f"# input seed {seed}: {target}\n{reduced}")
    if options.shrink:
        return shrink(features, options.shrink, options.count)
    campaign(options.count, options.compiled, features, options.out, options.first_seed)


if __name__ == "__main__":
    main()
