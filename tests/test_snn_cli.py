"""``scgen nir import`` / ``scgen nir run`` on the shipped digits network."""

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nir")

from scgen.cli import main

DIGITS = Path(__file__).parent / "fixtures" / "nir" / "digits"


def test_snn_cli_import_fit_and_run(tmp_path, capsys):
    data = np.load(f"{DIGITS}.npz")
    np.savez(tmp_path / "calib.npz", spikes=data["spikes"][:, :40])
    np.savez(tmp_path / "two.npz", spikes=data["spikes"][:, :2])
    net = tmp_path / "net.json"
    argv = ["nir", "import", f"{DIGITS}.nir", "--dt", "1e-4", "--calibration",
            str(tmp_path / "calib.npz"), "--fraction", "5", "--fit", "icebreaker", "-o", str(net),
            "--report", str(tmp_path / "report.json")]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "cycles per step; estimate" in text and "argmax agreement" in text
    # the calibrated planner with the host link's share: (4, 2) placed in 4 111 of 5 280 cells
    # at 50 MHz; (8, 4), what the rough estimate chose, found no legal placement
    assert "folding pe = [4, 2]" in text
    assert json.loads(net.read_text())["format"] == "scgen.snn/1"
    assert len(json.loads((tmp_path / "report.json").read_text())["rows"]) == 2
    save = tmp_path / "out.npz"
    assert (
        main(["nir", "run", str(net), "--inputs", str(tmp_path / "two.npz"), "--save", str(save)])
        == 0
    )
    out = np.load(save)["spikes"]
    assert out.shape == (16, 2, 10)
    assert f"argmax {int(out[:, 0].sum(0).argmax())}" in capsys.readouterr().out


def test_snn_cli_import_dt_wrong(tmp_path):
    with pytest.raises(
        SystemExit, match=r"^scgen: scgen.nir.read needs dt, the time step in seconds"
    ):
        main(["nir", "import", f"{DIGITS}.nir", "-o", str(tmp_path / "x.json")])


def test_snn_cli_run_inputs_wrong(tmp_path):
    np.savez(tmp_path / "bad.npz", x=np.zeros(3))
    net = tmp_path / "net.json"
    net.write_text(json.dumps({"format": "other"}))
    with pytest.raises(
        SystemExit, match=r"^scgen: SNN network file format must be 'scgen.snn/1', not 'other'$"
    ):
        main(["nir", "run", str(net), "--inputs", str(tmp_path / "bad.npz")])


def test_snn_cli_import_stochastic(tmp_path, capsys):
    data = np.load(f"{DIGITS}.npz")
    np.savez(tmp_path / "calib.npz", spikes=data["spikes"][:, :20])
    out = tmp_path / "net.scir"
    argv = ["nir", "import", f"{DIGITS}.nir", "--dt", "1e-4", "--calibration",
            str(tmp_path / "calib.npz"), "--fraction", "5", "--synapse", "stochastic",
            "--stream-length", "8", "-o", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert "argmax agreement, SC twin" in capsys.readouterr().out
    text = out.read_text()
    assert 'synapse="stochastic,stochastic"' in text and "stream_length=[8, 8]" in text


def test_snn_cli_import_stream_length_wrong(tmp_path):
    with pytest.raises(SystemExit, match=r"^scgen: --stream-length needs --synapse stochastic$"):
        main(["nir", "import", f"{DIGITS}.nir", "--dt", "1e-4", "--stream-length", "8", "-o",
              str(tmp_path / "x.json")])  # fmt: skip
