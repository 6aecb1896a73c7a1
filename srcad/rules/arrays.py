"""Array constructors.

They create arrays rather than compute values, so they carry no partial
derivatives: ``np.zeros`` and friends make constants, ``np.copy`` passes its
argument's derivative through element by element.
"""

import numpy as np

from .registry import register

CONSTRUCTORS = {
    "np.zeros": "shape", "np.ones": "shape", "np.empty": "shape",
    "np.zeros_like": "like", "np.ones_like": "like", "np.empty_like": "like",
    "np.copy": "copy",
}

register([np.zeros], "np.zeros", ("shape", "dtype"), (None, None), result="array")
register([np.ones], "np.ones", ("shape", "dtype"), (None, None), result="array")
register([np.empty], "np.empty", ("shape", "dtype"), (None, None), result="array")
register([np.zeros_like], "np.zeros_like", ("a",), (None,), result="array")
register([np.ones_like], "np.ones_like", ("a",), (None,), result="array")
register([np.empty_like], "np.empty_like", ("a",), (None,), result="array")
register([np.copy], "np.copy", ("a",), ("1.0",), result="array")

# Whole-array operations.  They never reach the transformers: the scalarizing
# pass rewrites them into loops over elements first (see transform/scalarize.py).
ARRAY_OPERATIONS = {
    "np.sum": [np.sum], "np.prod": [np.prod], "np.mean": [np.mean],
    "np.max": [np.max, np.amax], "np.min": [np.min, np.amin],
    "np.dot": [np.dot, np.matmul], "np.outer": [np.outer], "np.where": [np.where], "np.clip": [np.clip],
    "np.transpose": [np.transpose],
}
for _name, _objects in ARRAY_OPERATIONS.items():
    register(_objects, _name, ("a", "b", "c"), (None, None, None), result="array_op")
