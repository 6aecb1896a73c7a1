"""What the tapes and snapshots of a call held: the report a taped run leaves behind.

A function with checkpointed loops copies each loop's controller header to
the start of its int tape when it ends (:func:`.schedules.checkpoint_report`);
:func:`read_report` turns that into a :class:`TapeReport`.
"""

from dataclasses import dataclass, field

from .schedules import (ADVANCED, FLOAT_PEAK, HEADER, INT_PEAK, MOST_HELD, ONLINE, SNAPSHOT_BYTES, SNAPSHOTS, TAKEN,
                        TRIPS)


@dataclass
class LoopReport:
    """One checkpointed loop in a call: its line, steps, snapshots and what was run again."""

    line: int
    trips: int                 # iterations the loop ran
    snapshots: int             # rows of snapshots it had
    most_held: int             # snapshots held at once
    taken: int                 # snapshots stored, forward and reverse
    recomputed: int            # iterations run again in the reverse sweep (not counting the one recorded per step)
    snapshot_bytes: int        # the buffers of all rows
    online: bool               # trip count learned as the loop ran (while loops, loops left early)


@dataclass
class TapeReport:
    """What the tapes of the last call from Python held: ``tape_bytes`` (the most the float and int tapes
    held at once for a checkpointed call, their capacity for a store-all one), and one :class:`LoopReport`
    per checkpointed loop.  ``str()`` prints a table."""

    strategy: str
    tape_bytes: int
    loops: list = field(default_factory=list)

    @property
    def snapshot_bytes(self):
        return sum(loop.snapshot_bytes for loop in self.loops)

    @property
    def total_bytes(self):
        return self.tape_bytes + self.snapshot_bytes

    def __str__(self):
        lines = [f"strategy {self.strategy}: tapes {self.tape_bytes} B, snapshots {self.snapshot_bytes} B"]
        for loop in self.loops:
            lines.append(f"  line {loop.line}: {loop.trips} steps, {loop.snapshots} snapshots "
                         f"({'online' if loop.online else 'offline'}), {loop.recomputed} steps run again, "
                         f"{loop.snapshot_bytes} B of snapshots")
        return "\n".join(lines)


def read_report(lines, itape, ftape_capacity, itape_capacity):
    """The :class:`TapeReport` of a run of a function with checkpointed loops at ``lines``, from the start of
    its int tape (see :func:`srcad.backend.schedules.checkpoint_report`); without such loops, from the
    capacities of the tapes (exactly what the run needed when it was the one that grew them)."""
    if not lines:
        return TapeReport("store-all", 8 * (ftape_capacity + itape_capacity))
    loops, peak = [], 0
    for position, line in enumerate(lines):
        fields = itape[position * HEADER:(position + 1) * HEADER]
        if fields[SNAPSHOTS] <= 0:
            continue     # the loop did not run in this call
        peak = max(peak, 8 * int(fields[FLOAT_PEAK] + fields[INT_PEAK]))
        loops.append(LoopReport(line=line, trips=int(fields[TRIPS]), snapshots=int(fields[SNAPSHOTS]),
                                most_held=int(fields[MOST_HELD]), taken=int(fields[TAKEN]),
                                recomputed=int(fields[ADVANCED]),
                                snapshot_bytes=int(fields[SNAPSHOTS] * fields[SNAPSHOT_BYTES]),
                                online=bool(fields[ONLINE])))
    return TapeReport("binomial", peak, loops)
