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
