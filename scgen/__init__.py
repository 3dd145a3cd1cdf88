"""scgen: stochastic-computing and spiking hardware, written once, run three ways.

Every primitive is a params dataclass (:mod:`scgen.params`), an Amaranth component
(:mod:`scgen.hw`) and a bit-exact Numba twin (:mod:`scgen.sw`), registered in
:data:`scgen.primitives.PRIMITIVES`; :mod:`scgen.sim` runs the components on the Amaranth
simulator and in Verilator for cycle-by-cycle comparison with the twin.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
