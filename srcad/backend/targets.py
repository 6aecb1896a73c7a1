"""The targets by the names of the ``target=`` option."""

from .gpu import CudaTarget
from .target import CPU, PARALLEL

CUDA = CudaTarget()
TARGETS = {"cpu": CPU, "parallel": PARALLEL, "cuda": CUDA}
