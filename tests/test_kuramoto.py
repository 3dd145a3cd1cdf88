import math
import re

import numpy as np
import pytest

from scgen.nn import KuramotoSolver
from scgen.nn.kuramoto import gaussians


def _direct_step(theta, omega, k, dt, scale, noise):
    """The seed's form: N**2 sines of phase differences."""
    d = omega + scale * (k * np.sin(theta[None, :] - theta[:, None])).sum(axis=1) + noise
    r = np.fmod(theta + d * dt, 2 * math.pi)
    return np.where(r < 0, r + 2 * math.pi, r)


def test_kuramoto_noise_known_answer():
    # SEED_BEHAVIOUR §9: ChaCha8(1), Box-Muller
    np.testing.assert_array_equal(
        gaussians(1, 4),
        [1.180694150218985, 0.652803895210771, 0.19469728747317586, 0.9976188005194601],
    )
    assert gaussians(1, 3)[:2].tolist() == gaussians(1, 4)[:2].tolist()


@pytest.mark.parametrize("n", [1, 2, 7, 64])
@pytest.mark.parametrize("scale", ["mean", "none"])
def test_kuramoto_identity_form_matches_direct_form(n, scale):
    rng = np.random.default_rng(n)
    omega, k, theta = rng.random(n), rng.normal(size=(n, n)), rng.random(n) * 6
    s = KuramotoSolver(omega, k, theta, 0.2, coupling_scale=scale)
    for step in range(20):
        seed = step % 3
        noise = 0.2 * gaussians(seed, n) if seed else 0.0
        want = _direct_step(s.phases, omega, k, 0.01, 1 / n if scale == "mean" else 1.0, noise)
        s.step(0.01, seed)
        assert np.abs(s.phases - want).max() < 1e-12
        assert np.all((s.phases >= 0) & (s.phases < 2 * math.pi))


def test_kuramoto_order_parameter_and_run_seeding():
    s = KuramotoSolver(np.zeros(4), np.zeros((4, 4)), np.full(4, 1.0), 0.0)
    assert s.order_parameter() == pytest.approx(1.0, abs=1e-15)
    a = KuramotoSolver(np.ones(3), np.ones((3, 3)), [0.1, 0.2, 0.3], 0.5)
    b = KuramotoSolver(np.ones(3), np.ones((3, 3)), [0.1, 0.2, 0.3], 0.5)
    rs = a.run(3, 0.01, seed=10)
    assert rs.tolist() == [b.step(0.01, 10), b.step(0.01, 11), b.step(0.01, 12)]


def test_kuramoto_ssgf_without_extras_is_step():
    args = (np.arange(5.0), np.ones((5, 5)), np.linspace(0, 3, 5), 0.1)
    a, b = KuramotoSolver(*args), KuramotoSolver(*args)
    assert a.step_ssgf(0.01, 4) == b.step(0.01, 4)
    assert a.step_ssgf(0.01, 4, W=np.ones(25), sigma_g=0.0) == b.step(0.01, 4)


def test_kuramoto_wrong():
    with pytest.raises(ValueError, match=r"^Kuramoto omega must have at least one value$"):
        KuramotoSolver([], [], [])
    with pytest.raises(
        ValueError, match=re.escape("Kuramoto coupling must have shape (2, 2) or (4,), not (3,)")
    ):
        KuramotoSolver([1, 2], [1, 2, 3], [0, 0])
    with pytest.raises(ValueError, match=r"^Kuramoto phases must have 2 values, not 1$"):
        KuramotoSolver([1, 2], np.ones(4), [0])
    with pytest.raises(ValueError, match=r"^Kuramoto omega must be finite$"):
        KuramotoSolver([1, float("nan")], np.ones(4), [0, 0])


def test_kuramoto_matches_the_engine():
    eng = pytest.importorskip("sc_neurocore_engine.scpn")
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 33):
        omega, k, theta = rng.random(n), rng.random((n, n)), rng.random(n) * 6
        ours, theirs = (
            KuramotoSolver(omega, k, theta, 0.3),
            eng.KuramotoSolver(omega, k, theta, 0.3),
        )
        for step in range(30):
            r1, r2 = ours.step(0.01, step % 3), theirs.step(0.01, step % 3)
            assert abs(r1 - r2) < 1e-12
            assert np.abs(ours.phases - theirs.phases).max() < 1e-12
            ours.phases = theirs.phases  # per step: chaos must not amplify rounding
        w, h = rng.random(n * n), rng.random(n * n)
        ours.set_field_pressure(0.4)
        theirs.set_field_pressure(0.4)
        r1 = ours.step_ssgf(0.02, 5, w, 0.3, h, 0.2)
        r2 = theirs.step_ssgf(0.02, 5, W=w, sigma_g=0.3, h_munu=h, pgbo_weight=0.2)
        assert abs(r1 - r2) < 1e-12
        assert np.abs(ours.phases - theirs.phases).max() < 1e-12


def test_scpn_metrics_known_answers():
    from scgen.nn import SCPNMetrics

    assert SCPNMetrics.global_coherence([1.0] * 7, [0.5] * 7) == 0.5
    assert SCPNMetrics.global_coherence([0.0] * 7, [0.5] * 7) == 0.0
    assert SCPNMetrics.consciousness_index([0.1] * 5, [0.0] * 6) == pytest.approx(0.7)
    assert SCPNMetrics.consciousness_index([0.1] * 5, [1.0] * 6) == 1.0
    assert SCPNMetrics.consciousness_index([], [1.0] * 6) == pytest.approx(0.3)
    with pytest.raises(ValueError, match=r"^expected a sequence of length 7 \(got 6\)$"):
        SCPNMetrics.global_coherence([1.0] * 6, [0.5] * 7)


def test_kuramoto_compat_matches_the_engine():
    eng = pytest.importorskip("sc_neurocore_engine")
    from sc_neurocore_engine.scpn import KuramotoSolver as Theirs

    import scgen.compat as sc

    rng = np.random.default_rng(2)
    for n in (1, 4, 9):
        om, k, ph = rng.random(n), rng.random(n * n), rng.random(n) * 6
        ours, theirs = sc.KuramotoSolver(om, k, ph, 0.2), Theirs(om, k, ph, 0.2)
        np.testing.assert_allclose(ours.run(5, 0.01, 3), theirs.run(5, 0.01, 3), atol=1e-12, rtol=0)
        w, h = rng.random(n * n), rng.random((n, n))
        np.testing.assert_allclose(
            ours.run_ssgf(3, 0.01, 7, W=w, sigma_g=0.4, h_munu=h, pgbo_weight=0.2),
            theirs.run_ssgf(3, 0.01, 7, W=w, sigma_g=0.4, h_munu=h, pgbo_weight=0.2),
            atol=1e-12,
            rtol=0,
        )
        np.testing.assert_allclose(ours.phases, theirs.phases, atol=1e-12, rtol=0)
    for args in (
        (np.ones(3), np.ones(4), np.zeros(3)),
        (np.array([]), np.array([]), np.array([])),
        (np.ones(3), np.ones(9), np.zeros(2)),
    ):
        with pytest.raises(ValueError) as mine:
            sc.KuramotoSolver(*args)
        with pytest.raises(ValueError) as ref:
            Theirs(*args)
        assert str(mine.value) == str(ref.value)
    for call in (
        lambda m: m.global_coherence([1.0] * 6, [0.5] * 7),
        lambda m: m.consciousness_index([0.1, 2.0], np.ones(6) * 0.3),
    ):
        try:
            want = call(eng.SCPNMetrics)
        except ValueError as exc:
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                call(sc.SCPNMetrics)
        else:
            assert call(sc.SCPNMetrics) == want


def test_kuramoto_run_is_repeated_steps():
    rng = np.random.default_rng(6)
    n = 9
    args = (rng.random(n), rng.random((n, n)), rng.random(n) * 6, 0.4)
    a, b = KuramotoSolver(*args), KuramotoSolver(*args)
    a.set_field_pressure(0.3)
    b.set_field_pressure(0.3)
    w = rng.random((n, n))
    rs = a.run_ssgf(6, 0.05, 2**64 - 3, W=w, sigma_g=0.2)
    # the seed wraps to 0 at step 3: that step has no noise
    assert rs.tolist() == [
        b.step_ssgf(0.05, (2**64 - 3 + k) % 2**64, W=w, sigma_g=0.2) for k in range(6)
    ]
    np.testing.assert_array_equal(a.phases, b.phases)
