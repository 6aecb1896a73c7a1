""":func:`srcad.tape_size` and :func:`srcad.workspace_size`: the memory a derivative's run needs, known ahead.

A derivative in reverse mode records on two tapes, floats and ints.  On the
CPU they start at a size and grow; a CUDA device function cannot grow them,
so its local tapes have the fixed size ``tape=`` gives (a compile-time
constant), and a run that would need more gives NaN.  :func:`tape_size` tells
the size a call needs, from the same push markers: it runs the forward sweep
of the derivative's CPU twin with empty tapes, which counts every push (a
full tape skips the store and still counts) and stops before the reverse
sweep.  It is exact for the arguments given, ``while`` loops included; a
kernel whose items run longer loops than the ones measured gets NaN, never
a silent overrun.

A CUDA derivative that makes arrays carves them from a workspace its caller
gives (see :mod:`srcad.backend.workspace`); :func:`workspace_size` tells how
large, by running the device function's own Python code on the host with
NumPy arrays.
"""

import numpy as np

from ..errors import SrcadError
from .entry import python_function, takes_workspace
from .transformation import Transformation


def tape_size(f, *args):
    """(floats, ints): the tape entries derivative ``f`` records when called on ``args``.

    ``(0, 0)`` for a derivative that records nothing (forward mode, or an
    adjoint that needs no stored value).  For ``target="cuda"``, pass the
    result as ``tape=`` so that a device function's local tapes hold such a
    call (the arguments are those of a call from Python: NumPy arrays and
    numbers).

    >>> import srcad
    >>> def f(x, n):
    ...     for i in range(n):
    ...         x = x * x * 0.5 + 0.25
    ...     return x
    >>> srcad.tape_size(srcad.grad(f), 0.3, 100)
    (100, 0)
    """
    transformation = getattr(f, "__srcad__", None)
    if transformation is None:
        raise SrcadError("tape_size() takes a derivative made by srcad (grad, vjp, value_and_grad, ...)")
    return tape_entries(transformation, args)


def tape_entries(transformation, args):
    """:func:`tape_size` of the derivative of Transformation ``transformation``."""
    options = {**transformation.options, **transformation.own_options, "target": "cpu", "checkpoint": None,
               "check": False, "tape": None}
    t = transformation
    twin = Transformation(t.original, t.kind, t.wrt[0] if t.single_wrt else t.wrt, t.has_aux, **options)
    spec, function, _ = twin._resolve(args)
    if not spec.taped:
        return (0, 0)
    n = len(twin.info.params)
    params, extra, _ = twin.split_args(args, len(args) - n)
    call = (*params, *twin.form.call_args(twin, spec, params, extra))
    main = spec.functions[twin.form.python_entry(twin)]
    *_, floats, ints = main(*call, np.empty(0), np.empty(0, np.int64))
    return int(floats), int(ints)


def workspace_size(f, *args):
    """The float64 entries of the workspace that CUDA derivative ``f`` needs when called on ``args``.

    0 for a derivative that makes no array.  Pass a workspace of at least that many entries as the
    derivative's last argument in a kernel (a row of a device array, one a thread).  The count runs the
    device function's Python code once on the host, with ``args`` as NumPy arrays and numbers.
    """
    transformation = getattr(f, "__srcad__", None)
    if transformation is None or not transformation.target.device_only:
        raise SrcadError("workspace_size() takes a derivative made by srcad with target='cuda'")
    return workspace_entries(transformation, args)


def workspace_entries(t, args):
    """:func:`workspace_size` of the derivative of Transformation ``t`` (target="cuda")."""
    n = len(t.info.params)
    params, extra, types = t.split_args(args, len(args) - n)
    spec = t.specialize(types)
    main = spec.functions["main"]
    if not takes_workspace(main):
        return 0
    call = (*params, *t.form.call_args(t, spec, params, extra))
    tapes = tape_entries(t, args) if spec.taped else (0, 0)
    taped = (np.empty(max(1, tapes[0])), np.empty(max(1, tapes[1]), np.int64)) if spec.taped else ()
    size = 64
    while True:
        workspace = np.zeros(size)
        python_function(main)(*call, workspace, *taped)
        needed = int(workspace[0])
        if needed <= size:
            return needed
        size = max(2 * size, needed)
