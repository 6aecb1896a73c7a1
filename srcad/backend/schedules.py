"""Checkpoint schedules: the compiled controller that a checkpointed loop of generated code asks.

A loop reversed by binomial checkpointing keeps at most ``s`` snapshots of the
state its iterations carry.  Generated code holds the snapshots in buffers of
``s`` rows; this module decides which step goes into which row and how far to
run between snapshots.  Its whole state is one int64 array (see
:func:`checkpoint_size`), so the controller is plain compiled code, needs no
objects, and leaves a report behind (:data:`REPORT_FIELDS`).

Forward sweep (the loop runs, recording each step on a tape that is rewound
before the next, so that the last step stays recorded):

- ``for`` loops, trip count ``T`` known at entry: the snapshots go where the
  binomial schedule of Griewank and Walther puts them (:func:`binomial_split`);
- ``while`` loops and loops that may be left early (``T`` learned as the loop
  runs): at multiples of a stride that doubles whenever half of the rows are
  full, dropping every other snapshot.  Half of the rows stay free for the
  reverse sweep.

Reverse sweep, for each step from the last to the first: restore the latest
snapshot at or before it (:func:`checkpoint_restore`), run forward to it,
taking new snapshots at the binomial split points (:func:`checkpoint_advance_to`,
:func:`checkpoint_take`), record that one step and reverse it.  With the
offline placement the number of steps run again is Revolve's optimum:
``T - 1`` plus the reverse sweep's advances equals ``r T - C(s + r, s + 1)``
with ``r`` the least integer such that ``C(s + r, s) >= T``.

>>> state = np.zeros(checkpoint_size(3), np.int64)
>>> checkpoint_begin(state, 3, 10, 24)
3
>>> [step for step in range(10) if checkpoint_forward(state, step) >= 0]
[0, 4, 7]
"""

import numpy as np  # noqa: F401  (the doctests use it)
from numba import njit

# header of the state array; the report is the header's first fields
(SNAPSHOTS, TRIPS, HELD, FREE, NEXT, ONLINE, ADVANCED, TAKEN, MOST_HELD, STRIDE, FLOAT_PEAK, INT_PEAK,
 SNAPSHOT_BYTES) = range(13)
HEADER = 16
_LARGE = 1 << 62


@njit(cache=True)
def checkpoint_size(snapshots):
    """Entries of the int64 state array of a loop with ``snapshots`` snapshot rows."""
    return HEADER + 3 * snapshots


@njit(cache=True)
def checkpoint_snapshots(requested, snapshot_bytes, trips):
    """How many snapshot rows a loop gets: ``requested`` when positive, else as many as half of the byte
    budget ``-requested`` holds (at least two), never more than a loop of ``trips`` steps can use."""
    if requested > 0:
        count = requested
    else:
        count = max(2, (-requested) // (2 * max(snapshot_bytes, 1)))
    if trips >= 0:
        count = min(count, max(trips, 1))
    return count


@njit(cache=True)
def checkpoint_begin(state, snapshots, trips, snapshot_bytes):
    """Start the controller in ``state`` for ``snapshots`` rows of ``snapshot_bytes`` each and a loop of
    ``trips`` steps (-1: not known before the loop ends).  Returns ``snapshots``."""
    state[:] = 0
    state[SNAPSHOTS] = snapshots
    state[SNAPSHOT_BYTES] = snapshot_bytes
    state[TRIPS] = trips
    state[ONLINE] = 1 if trips < 0 else 0
    state[STRIDE] = 1
    state[NEXT] = 0
    for row in range(snapshots):
        state[HEADER + row] = -1                                   # the step a row holds
        state[HEADER + 2 * snapshots + row] = snapshots - 1 - row  # free rows, the lowest on top
    state[FREE] = snapshots
    return snapshots


@njit(cache=True)
def _beta(snaps, reps):
    """C(snaps + reps, snaps), the most steps ``snaps`` snapshots reverse with ``reps`` repetitions
    (saturating at a large number)."""
    if reps < 0:
        return 0
    value = 1
    for k in range(1, reps + 1):
        if value > _LARGE // (snaps + k):
            return _LARGE
        value = value * (snaps + k) // k
    return value


@njit(cache=True)
def binomial_split(steps, snaps):
    """How many steps to run before the next snapshot, to reverse ``steps`` steps from a stored state
    with ``snaps`` rows (that state's included) in the fewest steps run again.

    With ``r`` the least repetition count such that ``C(snaps + r, snaps) >= steps``, every advance in
    ``[max(C(snaps + r - 2, snaps), steps - C(snaps - 1 + r, snaps - 1)),
    min(C(snaps + r - 1, snaps), steps - C(snaps + r - 2, snaps - 1))]`` is optimal; this takes the largest.
    """
    if steps <= 1:
        return 0
    if snaps <= 1:
        return steps - 1
    reps = 0
    while _beta(snaps, reps) < steps:
        reps += 1
    advance = min(_beta(snaps, reps - 1), steps - _beta(snaps - 1, reps - 1))
    return max(1, min(advance, steps - 1))


@njit(cache=True)
def _take(state, step):
    snapshots = state[SNAPSHOTS]
    free = state[FREE]
    if free == 0:
        return -1
    row = state[HEADER + 2 * snapshots + free - 1]
    state[FREE] = free - 1
    state[HEADER + row] = step
    held = state[HELD]
    state[HEADER + snapshots + held] = row
    state[HELD] = held + 1
    state[TAKEN] += 1
    if held + 1 > state[MOST_HELD]:
        state[MOST_HELD] = held + 1
    return row


@njit(cache=True)
def _release_top(state):
    snapshots = state[SNAPSHOTS]
    held = state[HELD] - 1
    row = state[HEADER + snapshots + held]
    state[HELD] = held
    state[HEADER + row] = -1
    state[HEADER + 2 * snapshots + state[FREE]] = row
    state[FREE] += 1


@njit(cache=True)
def _thin(state):
    """Double the online stride and free the rows of steps that are not multiples of it."""
    snapshots = state[SNAPSHOTS]
    stride = 2 * state[STRIDE]
    state[STRIDE] = stride
    kept = 0
    for k in range(state[HELD]):
        row = state[HEADER + snapshots + k]
        if state[HEADER + row] % stride == 0:
            state[HEADER + snapshots + kept] = row
            kept += 1
        else:
            state[HEADER + row] = -1
            state[HEADER + 2 * snapshots + state[FREE]] = row
            state[FREE] += 1
    state[HELD] = kept


@njit(cache=True)
def checkpoint_forward(state, step):
    """At the start of forward step ``step``: the row to store the state into, or -1."""
    if state[ONLINE] == 0:
        if step != state[NEXT]:
            return -1
        row = _take(state, step)
        remaining = state[TRIPS] - step
        following = step + binomial_split(remaining, state[FREE] + 1)
        # a snapshot of the last step would never be read: its record stays on the tape
        state[NEXT] = following if row >= 0 and state[FREE] > 0 and following < state[TRIPS] - 1 else -1
        return row
    stride = state[STRIDE]
    if step % stride != 0:
        return -1
    limit = max(1, (state[SNAPSHOTS] + 1) // 2)    # the other rows are left for the reverse sweep
    if state[HELD] >= limit:
        if limit == 1:
            return -1
        _thin(state)
        if step % state[STRIDE] != 0:
            return -1
    return _take(state, step)


@njit(cache=True)
def checkpoint_end_forward(state, trips):
    """The loop ran ``trips`` steps; returns ``trips``."""
    state[TRIPS] = trips
    return trips


@njit(cache=True)
def checkpoint_restore(state, step):
    """The row holding the latest snapshot at or before ``step``; later ones are released."""
    snapshots = state[SNAPSHOTS]
    while state[HELD] > 1 and state[HEADER + state[HEADER + snapshots + state[HELD] - 1]] > step:
        _release_top(state)
    return state[HEADER + snapshots + state[HELD] - 1]


@njit(cache=True)
def checkpoint_position(state, row):
    """The step whose start row ``row`` holds."""
    return state[HEADER + row]


@njit(cache=True)
def checkpoint_advance_to(state, position, step):
    """From the state at ``position``, on the way to reversing ``step``: the step to run forward to
    (``step`` itself when no further snapshot pays)."""
    advance = binomial_split(step + 1 - position, state[FREE] + 1)
    state[ADVANCED] += advance
    return position + advance


@njit(cache=True)
def checkpoint_take(state, step):
    """The row to store the state at the start of ``step`` into, in the reverse sweep."""
    return _take(state, step)


@njit(cache=True)
def checkpoint_report(tape, offset, state, float_peak, int_peak):
    """Copy ``state``'s header, with the highest tops the tapes reached, to ``tape[offset:]`` (the int tape,
    empty when the sweep ends) for the caller to read."""
    if tape.shape[0] < offset + HEADER:
        return 0
    if state.shape[0] < HEADER:      # the loop did not run
        for k in range(HEADER):
            tape[offset + k] = 0
        return 0
    state[FLOAT_PEAK] = float_peak
    state[INT_PEAK] = int_peak
    for k in range(HEADER):
        tape[offset + k] = state[k]
    return 0


# What the generated code calls, by name (imported by the modules that use them).
RUNTIME = ("checkpoint_size", "checkpoint_snapshots", "checkpoint_begin", "checkpoint_forward",
           "checkpoint_end_forward", "checkpoint_restore", "checkpoint_position", "checkpoint_advance_to",
           "checkpoint_take", "checkpoint_report")
