import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rcgan.networks import NetworkConfig, build_networks
from rcgan.scores import (
    CHUNK,
    COMBINED,
    SCORES,
    UNSTANDARDISED,
    BufferedMLPScorer,
    FusedMLPScorer,
    anomaly_scores,
    component_batch,
    component_scores,
    score_batch,
    score_statistics,
    to_paper_scale,
)


@pytest.fixture(scope="module")
def nets():
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=6, dropout=0.5))
    nets.set_feature_range(torch.zeros(1, 6))  # the range score: |x|_1 beyond a point
    return nets


@pytest.mark.parametrize("kind", sorted(SCORES))
def test_scoring_is_in_eval_mode_and_repeatable(nets, kind):
    x = torch.randn(100, 6)
    nets.train()  # left in training mode on purpose: dropout must not leak into scores
    stats = score_statistics(nets, x)
    a = anomaly_scores(nets, x, kind, stats=stats)
    b = anomaly_scores(nets, x, kind, stats=stats)
    assert nets.training  # mode restored
    assert torch.equal(a, b)
    assert a.dtype == torch.float64 and a.shape == (100,)
    assert len(torch.unique(a)) > 90  # not constant


def test_combined_score_is_the_mean_of_standardised_components(nets):
    x = torch.randn(200, 6)
    stats = score_statistics(nets, x[:100])
    for kind, parts in COMBINED.items():
        for part in (p for p in parts if p not in UNSTANDARDISED):  # median and IQR
            raw = anomaly_scores(nets, x[:100], part)
            q = np.percentile(raw.numpy(), [25, 50, 75])
            assert stats[part][0] == pytest.approx(q[1], rel=1e-6, abs=1e-9)
            assert stats[part][1] == pytest.approx(q[2] - q[0], rel=1e-6)
        expected = sum(
            anomaly_scores(nets, x, p)
            if p in UNSTANDARDISED
            else (anomaly_scores(nets, x, p) - stats[p][0]) / stats[p][1]
            for p in parts
        ) / len(parts)
        torch.testing.assert_close(
            anomaly_scores(nets, x, kind, stats=stats), expected, rtol=1e-5, atol=1e-6
        )
        with pytest.raises(ValueError, match="statistics"):
            anomaly_scores(nets, x, kind)


def test_component_scores_equal_each_kind_scored_alone(nets):
    # one pass shares E(x) and G(E(x)) between the kinds; each must still be
    # the kind's own score bit for bit (the fit takes its training scores from it)
    x = torch.randn(1100, 6)  # three chunks, the last one padded
    kinds = ("xz", "l1", "l2", "discriminator")
    nets.train()
    raw = component_scores(nets, x, kinds)
    assert nets.training
    for kind in ("xz", "l1", "l2"):
        assert torch.equal(raw[kind], anomaly_scores(nets, x, kind)), kind
    nets.eval()
    with torch.inference_mode():
        reference = score_batch(nets, x[:512], "discriminator").double()
    assert torch.equal(raw["discriminator"][:512], reference)


def test_xz_score_is_minus_the_d_xz_logit(nets):
    nets.eval()
    x = torch.randn(10, 6)
    with torch.no_grad():
        assert torch.allclose(score_batch(nets, x, "xz"), -nets.d_xz(x, nets.encoder(x)))


def test_score_definitions_by_hand(nets):
    nets.eval()
    x = torch.randn(10, 6)
    with torch.no_grad():
        rec = nets.generator(nets.encoder(x))
        logit, f_rec = nets.d_xx(x, rec, return_features=True)
        _, f_id = nets.d_xx(x, x, return_features=True)
        assert torch.allclose(score_batch(nets, x, "discriminator"), -logit)
        assert torch.allclose(score_batch(nets, x, "fm_l1"), (f_id - f_rec).abs().sum(1))
        assert torch.allclose(score_batch(nets, x, "fm_l2"), (f_id - f_rec).pow(2).sum(1).sqrt())
        assert torch.allclose(score_batch(nets, x, "l1"), (x - rec).abs().sum(1))
        assert torch.allclose(score_batch(nets, x, "l2"), (x - rec).pow(2).sum(1).sqrt())
        # Eq. (11): A = 1 - D_xx = 1 - sigmoid(logit)
        paper = to_paper_scale(score_batch(nets, x, "discriminator"), "discriminator")
        assert torch.allclose(paper, 1 - torch.sigmoid(logit))


def test_unknown_score(nets):
    with pytest.raises(ValueError, match="valid names"):
        score_batch(nets, torch.zeros(2, 6), "energy")


def test_empty_input(nets):
    assert anomaly_scores(nets, torch.zeros(0, 6), "l2").shape == (0,)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 600),
    cut=st.integers(0, 600),
    seed=st.integers(0, 2**16),
    kind=st.sampled_from(sorted(SCORES)),
)
def test_scores_do_not_depend_on_batching_or_row_order(nets, n, cut, seed, kind):
    g = torch.Generator().manual_seed(seed)
    x = 3 * torch.randn(n, 6, generator=g)
    # any fixed statistics
    stats = {"xz": (0.1, 2.0), "l2": (1.0, 0.5), "l1": (2.0, 1.5), "discriminator": (0.3, 1.2)}
    full = anomaly_scores(nets, x, kind, stats=stats)
    assert torch.isfinite(full).all() and full.shape == (n,)
    cut = min(cut, n)
    parts = torch.cat(
        (
            anomaly_scores(nets, x[:cut], kind, stats=stats),
            anomaly_scores(nets, x[cut:], kind, stats=stats),
        )
    )
    np.testing.assert_allclose(parts, full, rtol=1e-6, atol=1e-7)
    perm = torch.randperm(n, generator=g)
    np.testing.assert_allclose(
        anomaly_scores(nets, x[perm], kind, stats=stats), full[perm], rtol=1e-6, atol=1e-7
    )


def test_row_scores_bit_identical_across_batching_default_widths():
    torch.manual_seed(1)
    big = build_networks(NetworkConfig(n_features=121))
    x = torch.randn(700, 121)
    full = anomaly_scores(big, x, "fm_l1")
    perm = torch.randperm(700)
    assert torch.equal(anomaly_scores(big, x[perm], "fm_l1"), full[perm])
    assert torch.equal(anomaly_scores(big, x[3:4], "fm_l1"), full[3:4])


FUSED_CONFIGS = [
    {},
    {"encoder_hidden": (), "generator_hidden": ()},
    {"disc_xx_hidden": (32, 16), "activation": "tanh"},
    {"spectral_norm": True, "dropout": 0.3},
]


@pytest.mark.parametrize("params", FUSED_CONFIGS)
@pytest.mark.parametrize("kind", ["discriminator", "fm_l1", "fm_l2"])
def test_fused_scorer_equals_reference(params, kind):
    torch.manual_seed(3)
    big = build_networks(NetworkConfig(n_features=9, **params))
    big.train()
    for _ in range(3):  # a few training-mode passes update spectral-norm state
        big.d_xx(torch.randn(8, 9), torch.randn(8, 9))
    big.eval()
    x = 2 * torch.randn(300, 9)
    assert FusedMLPScorer.supports(big, kind)
    with torch.inference_mode():
        ref = score_batch(big, x, kind)
        fused = FusedMLPScorer(big, kind)(x)
    np.testing.assert_allclose(fused, ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(anomaly_scores(big, x, kind), ref, rtol=1e-4, atol=1e-5)


BUFFERED_CONFIGS = [
    *FUSED_CONFIGS,
    {"activation": "relu", "dxz_dropout": 0.5, "disc_xx_hidden": (16,)},
    {"encoder_hidden": (16, 8), "generator_hidden": (8, 16, 32), "latent_dim": 3},
]


@pytest.mark.parametrize("params", BUFFERED_CONFIGS)
def test_buffered_scorer_has_the_bits_of_the_reference_pass(params):
    torch.manual_seed(5)
    big = build_networks(NetworkConfig(n_features=9, **params))
    big.set_feature_range(torch.randn(50, 9))
    big.train()
    for _ in range(3):  # a few training-mode passes update spectral-norm state
        big.d_xx(torch.randn(8, 9), torch.randn(8, 9))
    big.eval()
    kinds = [k for k in sorted(SCORES) if k not in COMBINED]
    assert BufferedMLPScorer.supports(big)
    scorer = BufferedMLPScorer(big, kinds)
    with torch.inference_mode():
        for rows in (300, 300, 64):  # buffers reused, then rebuilt for another size
            x = 3 * torch.randn(rows, 9)
            ref, got = component_batch(big, x, kinds), scorer(x)
            for kind in kinds:
                assert torch.equal(got[kind], ref[kind]), kind
    # and through the chunked entry point, for every score
    x = 3 * torch.randn(CHUNK + 188, 9)
    stats = score_statistics(big, x)
    for kind in sorted(SCORES):
        if kind in ("discriminator", "fm_l1", "fm_l2"):
            continue  # the fused rewrite's (float32 rounding; the test above)
        with torch.inference_mode():  # the reference on the same zero-padded chunks
            padded = torch.cat((x, x.new_zeros(3 * CHUNK - len(x), 9)))
            ref = torch.cat([score_batch(big, c, kind, stats) for c in padded.split(CHUNK)])
        got = anomaly_scores(big, x, kind, stats=stats)
        assert torch.equal(got, ref[: len(x)].double()), kind


def test_buffered_scorer_leaves_batch_norm_networks_to_the_reference():
    nets = build_networks(NetworkConfig(n_features=5, dxz_batchnorm=True))
    assert not BufferedMLPScorer.supports(nets)


def test_fused_scorer_counts_fewer_multiply_adds():
    big = build_networks(NetworkConfig(n_features=121)).eval()
    # plain Eq. (11): E 121*64 + 64*32, G 32*64 + 64*128 + 128*121, D_xx 242*128 + 128
    plain = 121 * 64 + 64 * 32 + 32 * 64 + 64 * 128 + 128 * 121 + 242 * 128 + 128
    fused = FusedMLPScorer(big, "discriminator").macs_per_row
    assert fused == 121 * (64 + 128) + 64 * 32 + 32 * 64 + 64 * 128 + 128 * 128 + 128
    assert fused < 0.8 * plain


def test_range_score_is_the_l1_excess_over_the_kept_range(nets):
    x = torch.randn(50, 6)
    nets.set_feature_range(x[:10])
    low, high = x[:10].amin(0), x[:10].amax(0)
    expected = ((x - high).clamp(min=0) + (low - x).clamp(min=0)).sum(1).double()
    torch.testing.assert_close(anomaly_scores(nets, x, "range"), expected)
    assert torch.all(anomaly_scores(nets, x[:10], "range") == 0)
    nets.set_feature_range(torch.zeros(1, 6))  # back to the fixture's range
