"""Shared base of scgen's components: one ``params`` argument, checked, kept read-only."""

from __future__ import annotations

from amaranth.lib import wiring

__all__ = ["Primitive"]


class Primitive(wiring.Component):
    """A :class:`wiring.Component` built from one params dataclass (see :mod:`scgen.params`)."""

    PARAMS: type = object

    def __init__(self, params, signature):
        if not isinstance(params, self.PARAMS):
            self._MustUse__silence = True  # a component that failed to build is not "unused"
            raise TypeError(
                f"{type(self).__name__} parameters must be an instance of {self.PARAMS.__name__}, "
                f"not {params!r}"
            )
        self._params = params
        super().__init__(signature)

    @property
    def params(self):
        """The params dataclass this component was built from."""
        return self._params
