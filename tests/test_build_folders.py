"""Board builds never delete what scgen did not write (real folders, fake tools, a real SIGINT).

The tools are small shell scripts named by the ``YOSYS``/``NEXTPNR_ICE40``/``ICEPACK`` variables
that :func:`scgen.emit.build._tool` reads, so the folder handling runs in well under a second.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scgen.cli import main
from scgen.emit import UnsafeOutput, check_output_dir

ROOT = Path(__file__).parent.parent
DEMO = ROOT / "examples" / "demo.scir"


REPORT = json.dumps(
    {
        "utilization": {"ICESTORM_LC": {"used": 300, "available": 5280}},
        "fmax": {"clk": {"achieved": 40.0, "constraint": 12.0}},
    }
)


def _script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """Fake yosys/nextpnr/icepack that succeed and write what the real ones write."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    env = {
        "YOSYS": _script(bindir / "yosys", "echo yosys ran"),
        "NEXTPNR_ICE40": _script(bindir / "nextpnr", f"echo '{REPORT}' > top.report.json"),
        "ICEPACK": _script(bindir / "icepack", "echo bitstream-$$ > top.bin"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return bindir


def _build(graph: Path, out) -> int:
    return main(["build", str(graph), "--board", "icebreaker", "-o", str(out)])


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _project(tmp_path: Path) -> Path:
    """A user's folder: a graph, notes and some C source."""
    proj = tmp_path / "proj"
    (proj / "src").mkdir(parents=True)
    shutil.copy(DEMO, proj / "synapse.scir")
    (proj / "notes.txt").write_text("my notes\n")
    (proj / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    return proj


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_build_writes_marker_and_rebuilds_in_place(tmp_path, tools, capsys):
    out = tmp_path / "results"
    assert _build(DEMO, out) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"] == sorted(p for p in _tree(out))
    assert "top.bin" in manifest["files"] and "manifest.json" in manifest["files"]
    first = (out / "top.bin").read_bytes()
    assert _build(DEMO, out) == 0  # an scgen build folder is replaced by the new build
    assert (out / "top.bin").read_bytes() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "results"]


def test_build_into_cwd_is_refused(tmp_path, tools, capsys, monkeypatch):
    proj = _project(tmp_path)
    before = _tree(proj)
    monkeypatch.chdir(proj)
    assert _build(Path("synapse.scir"), ".") == 2
    err = capsys.readouterr().err
    assert err == (
        "scgen: Build folder '.' is the current directory; a build replaces its folder, "
        "so give -o a new folder of its own\n"
    )
    assert _tree(proj) == before and not _hidden(proj)


def test_build_into_parent_of_graph_is_refused(tmp_path, tools, capsys, monkeypatch):
    proj = _project(tmp_path)
    before = _tree(proj)
    monkeypatch.chdir(tmp_path / "bin")
    assert _build(proj / "synapse.scir", proj) == 2
    err = capsys.readouterr().err
    assert err == (
        f"scgen: Build folder {str(proj)!r} holds {proj / 'synapse.scir'}; a build replaces its "
        f"folder, so give -o a new folder of its own\n"
    )
    assert _tree(proj) == before


def test_build_into_home_or_root_is_refused(tmp_path, tools, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    assert _build(DEMO, tmp_path / "home") == 2
    assert "is the home folder" in capsys.readouterr().err
    assert _build(DEMO, "/") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Build folder '/' holds" in err


def test_build_into_user_folder_is_refused(tmp_path, tools, capsys):
    proj = _project(tmp_path)
    (proj / "synapse.scir").unlink()  # the graph lives elsewhere: the folder is still the user's
    before = _tree(proj)
    assert _build(DEMO, proj) == 2
    assert capsys.readouterr().err == (
        f"scgen: Build folder {str(proj)!r} exists and is not an scgen build folder (no "
        f"manifest.json listing its files); give -o a new folder or an earlier build's\n"
    )
    assert _tree(proj) == before


def test_build_folder_with_user_files_added_is_refused(tmp_path, tools, capsys):
    out = tmp_path / "results"
    assert _build(DEMO, out) == 0
    (out / "my-measurements.csv").write_text("1,2\n")
    before = _tree(out)
    assert _build(DEMO, out) == 2
    assert capsys.readouterr().err.endswith(
        "holds files the build did not write (my-measurements.csv); move them away or give -o "
        "a new folder\n"
    )
    assert _tree(out) == before


def test_build_onto_a_file_is_refused(tmp_path, tools, capsys):
    target = tmp_path / "existing_file"
    target.write_text("precious\n")
    assert _build(DEMO, target) == 2
    assert capsys.readouterr().err == (
        f"scgen: Build folder {str(target)!r} is a file, not a folder; give -o a new folder or "
        f"an earlier scgen build folder\n"
    )
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "existing_file"]


def test_build_keeps_users_old_failed_staging_folders(tmp_path, tools, capsys):
    for suffix in (".old", ".failed", ".staging"):
        (tmp_path / f"results{suffix}").mkdir()
        (tmp_path / f"results{suffix}" / "mine.txt").write_text(suffix)
    assert _build(DEMO, tmp_path / "results") == 0
    assert _build(DEMO, tmp_path / "results") == 0
    for suffix in (".old", ".failed", ".staging"):
        assert (tmp_path / f"results{suffix}" / "mine.txt").read_text() == suffix
    assert not _hidden(tmp_path)


def test_empty_folder_is_accepted(tmp_path, tools):
    (tmp_path / "empty").mkdir()
    assert _build(DEMO, tmp_path / "empty") == 0
    assert (tmp_path / "empty" / "top.bin").exists()


def test_failed_build_keeps_last_good_and_leaves_no_staging(tmp_path, tools, monkeypatch, capsys):
    out = tmp_path / "results"
    assert _build(DEMO, out) == 0
    good = _tree(out)
    monkeypatch.setenv("NEXTPNR_ICE40", _script(tools / "bad", "echo 'ERROR: no room'; exit 3"))
    with pytest.raises(SystemExit) as exc:
        _build(DEMO, out)
    assert str(exc.value).startswith(
        f"scgen: nextpnr-ice40 failed (exit code 3) building for icebreaker; the last good build "
        f"in {out} is unchanged; the end of nextpnr-ice40.log:\nERROR: no room"
    )
    assert _tree(out) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "results"]
    # a failing first build leaves nothing at all
    with pytest.raises(SystemExit):
        _build(DEMO, tmp_path / "fresh")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "results"]


def test_check_output_dir_library(tmp_path):
    with pytest.raises(UnsafeOutput, match=r"^Build folder '.*' is a file, not a folder; "):
        f = tmp_path / "f"
        f.write_text("")
        check_output_dir(f)
    assert check_output_dir(tmp_path / "new") == (tmp_path / "new").resolve()


def test_sigint_during_build_leaves_last_good_and_no_staging(tmp_path, tools):
    out = tmp_path / "results"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = [sys.executable, "-m", "scgen", "build", str(DEMO), "--board", "icebreaker"]
    done = subprocess.run([*run, "-o", str(out)], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    good = _tree(out)
    # the slow tool says when it runs: Ctrl-C then lands while the build waits for it (a
    # signal sent as soon as its log exists could land between the fork and the exec)
    running = tools / "slow-running"
    env["NEXTPNR_ICE40"] = _script(tools / "slow", f"touch {running}; exec sleep 60")
    # Ctrl-C as a terminal sends it: SIGINT at its default in the build, even when this test
    # runs under a parent that ignores it (a background job without job control, nohup)
    proc = subprocess.Popen(
        [*run, "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not running.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert any((tmp_path / h / "nextpnr-ice40.log").exists() for h in _hidden(tmp_path))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert err.decode() == "scgen: interrupted\n"
    assert _tree(out) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "results"]
