"""The ``checkpoint=`` and ``memory=`` options, and the report of what a call's tapes held.

``checkpoint=None`` records every iteration of every loop (store-all);
``checkpoint=s`` reverses each loop that no other loop encloses by binomial
checkpointing with at most ``s`` snapshots; ``checkpoint="auto"`` (the
default) records everything while the tapes of a call fit in ``memory``
bytes (default 1 GiB) and switches to checkpointing, with as many snapshots
as half the budget holds, from the first call whose tapes would not.
"""

import re

import numpy as np

from ..errors import SrcadError

DEFAULT_MEMORY = 1 << 30
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}


def parse_bytes(memory):
    """A byte count from ``memory``: an int, or a string such as ``"256MB"``, ``"1.5 GiB"``, ``"4096"``.

    >>> parse_bytes("256MB"), parse_bytes("2 KiB"), parse_bytes(1000)
    (256000000, 2048, 1000)
    """
    if isinstance(memory, (int, np.integer)) and not isinstance(memory, bool):
        count = int(memory)
    elif isinstance(memory, str):
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", memory)
        if match is None or match.group(2).upper() not in _UNITS:
            raise SrcadError(f"memory={memory!r}: give bytes as an int or a string such as '256MB' or '1GiB'")
        count = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    else:
        raise SrcadError(f"memory={memory!r}: give bytes as an int or a string such as '256MB' or '1GiB'")
    if count <= 0:
        raise SrcadError(f"memory={memory!r}: the budget must be positive")
    return count


def checkpoint_setting(checkpoint, memory):
    """(what the adjoint is built with first, the tape budget of "auto" or None) from the two options."""
    if checkpoint == "auto":
        return None, parse_bytes(memory) if memory is not None else DEFAULT_MEMORY
    if memory is not None:
        raise SrcadError("memory= is the budget of checkpoint='auto'; with checkpoint=None or a snapshot count "
                         "leave it out")
    if checkpoint is None:
        return None, None
    if isinstance(checkpoint, (int, np.integer)) and not isinstance(checkpoint, bool) and checkpoint >= 1:
        return int(checkpoint), None
    raise SrcadError(f"checkpoint={checkpoint!r}: use None (record every iteration), a number of snapshots "
                     "(1 or more), or 'auto'")
