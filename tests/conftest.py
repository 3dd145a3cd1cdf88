import os
import shutil

# Numba's OpenMP thread pool spins while it waits for work; with two pytest-xdist workers (two
# pools) and Verilator's C++ builds on two cores the spinning threads take cores the others
# need, so the pool waits passively (set before it starts; results do not depend on it).
# Measured 2026-12-04 in place: 250 s with libgomp's default, 219 s passive; fresh-clone CI
# runs 299 s and 335 s: the gain is within the machine's run-to-run spread.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest
from hypothesis import HealthCheck, settings

from scgen.sim import toolchain_env

# Tests must not depend on venv activation: put the venv's tools first on PATH, use the builtin
# Yosys for reproducible Verilog, and ccache for Verilator model builds.
toolchain_env()

settings.register_profile(
    "scgen",
    database=None,  # write nothing outside tmp_path
    derandomize=True,  # same examples on every machine and run
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("scgen")


@pytest.fixture(autouse=True, scope="session")
def _native_cache(tmp_path_factory):
    """Compile native Verilator models under the run's tmp folder, not the user cache.

    Under pytest-xdist every worker has its own base folder inside the run's; the workers share
    one cache beside them (a model is built in a private folder and renamed into place, so two
    workers building the same design never see each other's half-written files).
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        path = base.parent / "scgen-cache"
        path.mkdir(exist_ok=True)
    else:
        path = tmp_path_factory.mktemp("scgen-cache")
    os.environ["SCGEN_CACHE_DIR"] = str(path)


def pytest_collection_modifyitems(config, items):
    if shutil.which("verilator"):
        return
    if os.environ.get("SCGEN_REQUIRE_VERILATOR") == "1":
        raise pytest.UsageError(
            "SCGEN_REQUIRE_VERILATOR=1 but Verilator is not on PATH; run ./setup.sh"
        )
    skip = pytest.mark.skip(reason="Verilator is not installed (run ./setup.sh)")
    for item in items:
        if "verilator" in item.keywords:
            item.add_marker(skip)
