"""The drivers of :func:`srcad.batch`: one derivative run over the leading axis of its batched arguments.

A batch runs an *item function* (written by the api for one derivative, see
:func:`srcad.api.entry.item_source`) once per item.  The item function returns
the derivative's presented result, followed by what its tapes say: on the
CPU the tapes it grew (the chunk keeps them for its next item), on a GPU the
sizes its forward sweep needed.  Each leaf of the result (a float, an int, an
array) is either stacked into an output with a leading axis of items, or,
for the adjoint of a *shared* argument (one that every item reads), summed
over the items.

On the CPU (:func:`cpu_driver`) the items are cut into a number of chunks that
depends on the number of items alone; each chunk runs its items in order with
tapes of its own and sums its shared adjoints into its own partial sum, and
the partial sums are added in chunk order at the end.  The serial and the
parallel driver differ only in ``range`` and ``prange``, so their results are
equal bit for bit, whatever the number of threads.  On a GPU
(:func:`cuda_kernel`) each thread runs one item with its column of a tape slab
and adds shared adjoints with atomics.
"""

import dataclasses

import numpy as np

CHUNKS = 64   # at most this many chunks: enough to balance 16-64 cores, few partial sums to add


@dataclasses.dataclass(frozen=True)
class Leaf:
    """One number or array in a derivative's result: where it is (indices into nested tuples), its dtype
    and shape (of one item), and whether it is summed over the items (the adjoint of a shared argument)."""

    path: tuple
    dtype: str
    shape: tuple
    summed: bool


def chunk_count(n):
    """How many chunks the CPU drivers cut ``n`` items into: fixed by ``n`` alone, never by the threads."""
    return min(n, CHUNKS)


def leaf_source(leaf, result="_r[0]"):
    return result + "".join(f"[{j}]" for j in leaf.path)


def driver_names(params):
    """The driver's names for the derivative's arguments: the public ones, unless they clash with its own."""
    own = {"_n", "_c", "_i", "_r", "_chunks", "_ftape", "_itape", "_fslab", "_islab", "_wslab", "_needed"}
    names, taken = [], set(params) | own
    for p in params:
        name = p
        if name in own or name.startswith(("_out", "_part", "_total")):
            name = p + "_"
            while name in taken:
                name += "_"
            taken.add(name)
        names.append(name)
    return names


def cpu_driver(name, item, params, batched, leaves, taped, decorator, loop, tape_sizes):
    """Text of ``name(params..., _chunks, outputs...)``: the items of each chunk in order, the chunks by ``loop``
    (``range`` or ``prange``), then the chunks' partial sums added in chunk order."""
    args = driver_names(params)
    outputs = []
    for k, leaf in enumerate(leaves):
        outputs += [f"_part{k}", f"_total{k}"] if leaf.summed else [f"_out{k}"]
    call = [f"{a}[_i]" if k in batched else a for k, a in enumerate(args)]
    lines = [decorator, f"def {name}({', '.join(args + ['_chunks'] + outputs)}):",
             f"    _n = {args[batched[0]]}.shape[0]",
             f"    for _c in {loop}(_chunks):"]
    if taped:
        # each chunk has tapes of its own, grown by its items and kept from one item to the next
        lines.append(f"        _ftape, _itape = new_tapes({tape_sizes[0]}, {tape_sizes[1]})")
        call += ["_ftape", "_itape"]
    lines += ["        for _i in range(_c * _n // _chunks, (_c + 1) * _n // _chunks):",
              f"            _r = {item}({', '.join(call)})"]
    if taped:
        lines += ["            _ftape = _r[1]", "            _itape = _r[2]"]
    for k, leaf in enumerate(leaves):
        if leaf.summed:
            lines.append(f"            _part{k}[_c] += {leaf_source(leaf)}")
        else:
            lines.append(f"            _out{k}[_i] = {leaf_source(leaf)}")
    for k, leaf in enumerate(leaves):
        if leaf.summed:
            lines += ["    for _c in range(_chunks):", f"        _total{k}[0] += _part{k}[_c]"]
    return "\n".join(lines) + "\n"


def run_cpu_driver(driver, args, leaves, n):
    """Run a :func:`cpu_driver` on ``args`` (``n`` items): the value of each leaf, stacked or summed."""
    chunks = chunk_count(n)
    outputs, values = [], []
    for leaf in leaves:
        if leaf.summed:
            part = np.zeros((chunks,) + leaf.shape, leaf.dtype)
            total = np.zeros((1,) + leaf.shape, leaf.dtype)
            outputs += [part, total]
            values.append(total)
        else:
            out = np.empty((n,) + leaf.shape, leaf.dtype)
            outputs.append(out)
            values.append(out)
    driver(*args, chunks, *outputs)
    return [value[0] if leaf.summed else value for leaf, value in zip(leaves, values)]


def cuda_kernel(name, item, params, batched, leaves, taped, carves=False):
    """Text of the kernel ``name(params..., outputs..., [_wslab], [_fslab, _islab], [_needed])``: one thread an item.

    A taped item gets column ``_i`` of the slabs ``[capacity, threads]`` as its tapes (neighbouring
    threads touch neighbouring addresses); an item that makes arrays gets row ``_i`` of ``_wslab
    [threads, capacity]`` as its workspace (a row: the arrays carved from it are contiguous).  Each
    thread writes what its run needed to ``_needed[:, _i]`` (float tape, int tape, workspace); its
    results are stored only when all of it fit, and the host runs the kernel again with larger slabs
    otherwise.  An array of the result is copied element by element, a summed one added with atomics."""
    args = driver_names(params)
    outputs = []
    for k, leaf in enumerate(leaves):
        outputs.append(f"_total{k}" if leaf.summed else f"_out{k}")
    call = [f"{a}[_i]" if k in batched else a for k, a in enumerate(args)]
    extra = (["_wslab"] if carves else []) + (["_fslab", "_islab"] if taped else [])
    extra += ["_needed"] if taped or carves else []
    lines = ["@cuda.jit", f"def {name}({', '.join(args + outputs + extra)}):",
             "    _i = cuda.grid(1)",
             f"    if _i < {args[batched[0]]}.shape[0]:"]
    pad = "        "
    if carves:
        call.append("_wslab[_i]")
    if taped:
        call += ["_fslab[:, _i]", "_islab[:, _i]"]
    lines.append(f"{pad}_r = {item}({', '.join(call)})")
    fits = []
    if taped:
        lines += [f"{pad}_needed[0, _i] = _r[1]", f"{pad}_needed[1, _i] = _r[2]"]
        fits += ["_r[1] <= _fslab.shape[0]", "_r[2] <= _islab.shape[0]"]
    if carves:
        lines.append(f"{pad}_needed[2, _i] = int(_wslab[_i, 0])")
        fits.append("_wslab[_i, 0] <= _wslab.shape[1]")
    if fits:
        lines.append(f"{pad}if {' and '.join(fits)}:")
        pad += "    "
    for k, leaf in enumerate(leaves):
        value = leaf_source(leaf)
        inner = pad
        for d, extent in enumerate(leaf.shape):
            lines.append(f"{inner}for _k{d} in range({extent}):")
            inner += "    "
        index = "".join(f", _k{d}" for d in range(len(leaf.shape)))
        element = f"{value}[{index[2:]}]" if leaf.shape else value
        if leaf.summed:
            lines.append(f"{inner}cuda.atomic.add(_total{k}, (0{index}), {element})" if leaf.shape
                         else f"{inner}cuda.atomic.add(_total{k}, 0, {element})")
        else:
            lines.append(f"{inner}_out{k}[_i{index}] = {element}")
    return "\n".join(lines) + "\n"
