import math

import pytest
import torch

from rcgan.networks import NetworkConfig, build_networks
from rcgan.penalties import make_penalty
from rcgan.training import (
    EMA,
    TrainConfig,
    discriminator_objective,
    encoder_generator_objective,
    train,
)


def run(penalty="normal", epochs=3, seed=0, ema=0.999, n=100, batch=32, with_dzz=False):
    torch.manual_seed(seed)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2, with_dzz=with_dzz))
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=torch.Generator().manual_seed(99))
    cfg = TrainConfig(epochs=epochs, batch_size=batch, learning_rate=1e-3, ema=ema)
    hist = train(nets, x, cfg, g, penalty=make_penalty(penalty))
    return nets, hist


def flat(nets):
    return torch.cat([p.detach().flatten() for p in nets.parameters()])


def test_history_has_one_finite_entry_per_epoch_and_nets_end_in_eval():
    nets, hist = run(epochs=4)
    assert len(hist["loss_d"]) == len(hist["loss_eg"]) == 4
    assert all(math.isfinite(v) for v in hist["loss_d"] + hist["loss_eg"])
    assert not nets.training


def test_training_changes_every_network():
    torch.manual_seed(0)
    before = build_networks(NetworkConfig(n_features=3, latent_dim=2, with_dzz=True))
    after, _ = run(with_dzz=True, ema=None)
    for name in ("encoder", "generator", "d_xz", "d_xx", "d_zz"):
        a = torch.cat([p.flatten() for p in getattr(before, name).parameters()])
        b = torch.cat([p.flatten() for p in getattr(after, name).parameters()])
        assert not torch.allclose(a, b), name


def test_same_seed_same_weights_and_penalty_matters():
    a, _ = run(seed=1)
    b, _ = run(seed=1)
    assert torch.equal(flat(a), flat(b))
    c, _ = run(seed=1, penalty=None)
    assert not torch.equal(flat(a), flat(c))


def test_fewer_rows_than_batch_and_zero_epochs():
    _, hist = run(n=5, batch=64, epochs=2)
    assert len(hist["loss_d"]) == 2
    _, hist = run(epochs=0)
    assert hist == {"loss_d": [], "loss_eg": []}


def test_ema_averages_and_warms_up():
    lin = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        lin.weight.fill_(0.0)
    ema = EMA(lin, decay=0.999)
    with torch.no_grad():
        lin.weight.fill_(1.0)
    ema.update()  # first update: decay = min(0.999, 2/11)
    assert abs(ema.shadow[0].item() - (1 - 2 / 11)) < 1e-6
    ema.copy_to_module()
    assert abs(lin.weight.item() - (1 - 2 / 11)) < 1e-6


def test_callback_can_stop_early():
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2))
    cfg = TrainConfig(epochs=10, batch_size=16, learning_rate=1e-3)
    hist = train(
        nets,
        torch.randn(40, 3),
        cfg,
        torch.Generator().manual_seed(0),
        on_epoch_end=lambda epoch, h: epoch == 2,
    )
    assert len(hist["loss_d"]) == 3


def test_discriminator_step_reaches_only_the_discriminators():
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2, with_dzz=True))
    x, z, xt = torch.randn(8, 3), torch.randn(8, 2), torch.randn(8, 3)
    discriminator_objective(nets, x, z, xt).backward()
    assert all(p.grad is None for p in nets.generator_parameters())
    assert all(p.grad is not None for p in nets.discriminator_parameters())


def test_encoder_gets_gradient_through_the_penalty_pairs():
    """Eq. (4)'s t-term depends on E: the (E, G) objective must carry it."""
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2)).eval()  # no dropout
    x, z = torch.randn(8, 3), torch.randn(8, 2)

    def encoder_grad(xt):
        nets.zero_grad()
        encoder_generator_objective(nets, x, z, xt).backward()
        return torch.cat([p.grad.flatten() for p in nets.encoder.parameters()])

    g0 = encoder_grad(None)
    g1 = encoder_grad(torch.randn(8, 3))
    g2 = encoder_grad(5 * torch.randn(8, 3))
    assert not torch.allclose(g0, g1) and not torch.allclose(g1, g2)
    # the generator's gradient does not depend on the penalty samples
    nets.zero_grad()
    encoder_generator_objective(nets, x, z, torch.randn(8, 3)).backward()
    gen_a = torch.cat([p.grad.flatten() for p in nets.generator.parameters()])
    nets.zero_grad()
    encoder_generator_objective(nets, x, z, 5 * torch.randn(8, 3)).backward()
    gen_b = torch.cat([p.grad.flatten() for p in nets.generator.parameters()])
    assert torch.allclose(gen_a, gen_b, atol=1e-6)


def test_spectral_norm_holds_after_ema():
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=4, latent_dim=2, spectral_norm=True))
    x = torch.randn(64, 4)
    cfg = TrainConfig(epochs=5, batch_size=16, learning_rate=1e-2, ema=0.9)
    train(nets, x, cfg, torch.Generator().manual_seed(0), penalty=make_penalty("normal"))
    for disc in (nets.d_xz, nets.d_xx):
        for layer in disc.modules():
            if isinstance(layer, torch.nn.Linear):
                sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2)
                assert sigma <= 1.0 + 1e-2, float(sigma)


def test_update_budget_stops_within_an_epoch(monkeypatch):
    import rcgan.training as training
    from rcgan import RCGAN

    from .conftest import manifold_data

    calls = []
    update = training._Players.update

    def counted(self, *args):
        calls.append(1)
        return update(self, *args)

    monkeypatch.setattr(training._Players, "update", counted)
    X = manifold_data(200, 0)  # 4 batches of 50 per epoch
    det = RCGAN(epochs=10, max_updates=6, batch_size=50, random_state=0).fit(X)
    assert len(calls) == 6 and len(det.history_["loss_d"]) == 2  # 4 + 2 updates


def test_alad_network_details_are_what_they_say(tmp_path):
    """ALAD's options: BN on D_xz's x-branch with per-kind statistics, its own
    dropout, and (E, G) steps on their own minibatches."""
    import numpy as np

    import rcgan
    from rcgan import ALAD
    from rcgan.training import d_xz_logits

    cfg = NetworkConfig(n_features=3, latent_dim=2, dxz_batchnorm=True, dxz_dropout=0.5)
    torch.manual_seed(0)
    nets = build_networks(cfg)
    assert isinstance(nets.d_xz.x_branch[1], torch.nn.BatchNorm1d)
    drops = {m.p for m in nets.d_xz.modules() if isinstance(m, torch.nn.Dropout)}
    assert drops == {0.5}
    assert {m.p for m in nets.d_xx.modules() if isinstance(m, torch.nn.Dropout)} == {0.2}
    # per-kind batch statistics: the data pairs' logits do not depend on the fakes
    nets.train()
    nets.d_xz.z_branch[2].p = nets.d_xz.joint[2].p = 0.0  # no dropout noise in the comparison
    x, z = torch.randn(8, 3), torch.randn(8, 2)
    fake_x, fake_z = torch.randn(8, 3) * 5, torch.randn(8, 2)
    both = d_xz_logits(nets, torch.cat((x, fake_x)), torch.cat((z, fake_z)), [8, 8, 0])
    assert torch.allclose(both[:8], nets.d_xz(x, z))
    assert not torch.allclose(
        nets.d_xz(torch.cat((x, fake_x)), torch.cat((z, fake_z)))[:8], both[:8]
    )

    X = np.random.default_rng(0).normal(size=(120, 4))
    kw = dict(epochs=2, random_state=0, dxz_batchnorm=True, dxz_dropout=0.5)
    a = ALAD(**kw).fit(X)
    b = ALAD(**kw, separate_batches=True).fit(X)
    assert np.isfinite(a.score_samples(X)).all()
    assert not np.array_equal(a.score_samples(X), b.score_samples(X))
    assert np.array_equal(
        b.score_samples(X), ALAD(**kw, separate_batches=True).fit(X).score_samples(X)
    )
    b.save(tmp_path / "m.rcgan")  # BN running statistics travel with the weights
    assert np.array_equal(rcgan.load(tmp_path / "m.rcgan").score_samples(X), b.score_samples(X))


def test_batchnorm_skips_a_last_minibatch_of_one_row():
    import numpy as np

    from rcgan import ALAD

    X = np.random.default_rng(0).normal(size=(9, 3))  # 9 = 2 x 4 + 1
    det = ALAD(batch_size=4, epochs=2, dxz_batchnorm=True, random_state=0).fit(X)
    assert np.isfinite(det.score_samples(X)).all()


def test_max_time_bounds_training():
    import time

    import numpy as np

    from rcgan import RCGAN

    X = np.random.default_rng(0).normal(size=(2000, 4))
    start = time.perf_counter()
    det = RCGAN(max_time=0.5, max_updates=None, epochs=1000, random_state=0).fit(X)
    assert time.perf_counter() - start < 5 and len(det.history_["loss_d"]) < 1000


def test_flat_adam_steps_equal_torch_adam_bitwise():
    from rcgan.training import FlatAdam

    shapes = [(9, 7), (9,), (3, 9), (3,), (1,)]
    torch.manual_seed(0)
    ours = [torch.nn.Parameter(torch.randn(s)) for s in shapes]
    theirs = [torch.nn.Parameter(p.detach().clone()) for p in ours]
    reference = torch.optim.Adam(theirs, lr=1e-2, betas=(0.5, 0.999), foreach=True)
    opt = FlatAdam(ours, 1e-2, (0.5, 0.999))
    assert all(p.data_ptr() % 64 == 0 for p in ours)  # each tensor aligned as its own would be
    for _ in range(30):
        grads = [torch.randn(s) for s in shapes]
        reference.zero_grad(set_to_none=True)
        for p, g in zip(theirs, grads, strict=True):
            p.grad = g.clone()
        opt.zero_grad()
        for p, g in zip(ours, grads, strict=True):
            p.grad.add_(g)  # the gradient views are where backward accumulates
        reference.step()
        opt.step()
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs, strict=True))
    assert opt.flat.abs().sum() > 0 and float(opt.grad.abs().sum()) > 0
    opt.release()
    storages = {p.untyped_storage().data_ptr() for p in ours}
    assert len(storages) == len(ours) and all(p.grad is None for p in ours)


def test_flat_buffers_train_bit_identically_to_per_tensor_adam(monkeypatch):
    from rcgan import training

    for with_dzz, penalty in ((False, "normal"), (True, None)):
        kwargs = {"with_dzz": with_dzz, "penalty": penalty, "epochs": 2}
        flat_nets, flat_hist = run(**kwargs)
        with monkeypatch.context() as m:
            m.setattr(training, "_flattenable", lambda nets: False)
            torch_nets, torch_hist = run(**kwargs)
        assert torch.equal(flat(flat_nets), flat(torch_nets))
        assert flat_hist == torch_hist
        # after training every parameter owns its storage again (model files need that)
        ptrs = [p.untyped_storage().data_ptr() for p in flat_nets.parameters()]
        assert len(set(ptrs)) == len(ptrs)


def test_reconstruction_weight_adds_the_explicit_cycle_term_and_trains_it():
    """weight w: the (E, G) loss is the paper's plus w * mean |x - G(E(x))|."""
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2)).eval()  # no dropout
    x, z, xt = torch.randn(8, 3), torch.randn(8, 2), torch.randn(8, 3)
    with torch.no_grad():
        mae = (x - nets.generator(nets.encoder(x))).abs().mean()
        base = encoder_generator_objective(nets, x, z, xt)
        weighted = encoder_generator_objective(nets, x, z, xt, reconstruction_weight=2.5)
    assert mae > 0.1
    assert torch.allclose(weighted, base + 2.5 * mae, atol=1e-6)

    def reconstruction_error(weight: float) -> float:
        torch.manual_seed(0)
        nets = build_networks(NetworkConfig(n_features=3, latent_dim=2))
        x = torch.randn(200, 3, generator=torch.Generator().manual_seed(99))
        cfg = TrainConfig(
            epochs=10, batch_size=32, learning_rate=1e-3, reconstruction_weight=weight
        )
        train(nets, x, cfg, torch.Generator().manual_seed(0), penalty=make_penalty("normal"))
        with torch.no_grad():
            return float((x - nets.generator(nets.encoder(x))).abs().mean())

    # the explicit term is trained: G(E(x)) lies much closer to x
    assert reconstruction_error(5.0) < 0.6 * reconstruction_error(0.0)


def test_penalty_encoder_false_keeps_the_penalty_out_of_the_eg_step_only():
    """The discriminator step sees the penalty draws either way; E's loss only by default."""
    from rcgan import training

    seen = {}
    for flag in (True, False):
        torch.manual_seed(0)
        nets = build_networks(NetworkConfig(n_features=3, latent_dim=2))
        cfg = TrainConfig(epochs=1, batch_size=16, learning_rate=1e-3, penalty_encoder=flag)
        players = training._Players(nets, cfg, distributed=False)
        calls = {"d": [], "eg": []}

        def recording(name, forward, calls=calls):
            return lambda *a: calls[name].append(a[2]) or forward(*a)

        players.d_step.forward = recording("d", players.d_step.forward)
        players.eg_step.forward = recording("eg", players.eg_step.forward)
        x, z, xt = torch.randn(16, 3), torch.randn(16, 2), torch.randn(16, 3)
        players.update(x, z, xt)
        players.release()
        assert calls["d"][0] is xt
        seen[flag] = calls["eg"][0]
        with torch.no_grad():
            seen[(flag, "w")] = nets.encoder.out.weight.clone()
    assert seen[True] is not None and seen[False] is None
    assert not torch.equal(seen[(True, "w")], seen[(False, "w")])  # E's update differs


def test_penalty_weight_scales_the_penalty_pairs_term_of_the_eg_loss():
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2)).eval()
    x, z, xt = torch.randn(8, 3), torch.randn(8, 2), torch.randn(8, 3)
    with torch.no_grad():
        without = encoder_generator_objective(nets, x, z, None)
        full = encoder_generator_objective(nets, x, z, xt)
        half = encoder_generator_objective(nets, x, z, xt, penalty_weight=0.5)
        same = encoder_generator_objective(nets, x, z, xt, penalty_weight=1.0)
    assert torch.equal(same, full)
    assert float(full - without) > 0.1  # the penalty term is there
    assert torch.allclose(half, without + 0.5 * (full - without), atol=1e-6)


def _one_update(**config) -> tuple[dict, dict]:
    """The weights before and after one alternating update of a small RCGAN (fixed draws)."""
    from rcgan import training

    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2, dropout=0.0))
    start = {k: v.clone() for k, v in nets.state_dict().items()}
    cfg = TrainConfig(epochs=1, batch_size=16, **{"learning_rate": 1e-3, **config})
    players = training._Players(nets, cfg, distributed=False)
    g = torch.Generator().manual_seed(1)
    x, z, xt = (torch.randn(16, k, generator=g) for k in (3, 2, 3))
    players.update(x, z, xt)
    players.release()
    return start, {k: v.clone() for k, v in nets.state_dict().items()}


def test_dxz_weight_decay_shrinks_dxz_weight_matrices_only():
    """One update with decay = the update without it, minus lr * wd * w for D_xz's matrices."""
    after = {}
    for wd in (0.0, 50.0):
        start, after[wd] = _one_update(dxz_weight_decay=wd)
    decayed = 0
    for key, value in after[50.0].items():
        if key.startswith("d_xz.") and value.dim() >= 2:
            expected = after[0.0][key] - 1e-3 * 50.0 * start[key]
            assert torch.allclose(value, expected, atol=1e-6), key
            assert not torch.allclose(value, after[0.0][key], atol=1e-4), key
            decayed += 1
        elif key.startswith(("d_xz.", "d_xx.")):
            assert torch.equal(value, after[0.0][key]), key  # biases, D_xx: untouched
    assert decayed >= 2


def test_d_learning_rate_sets_the_discriminators_step_alone():
    """Adam's first step moves each weight by about lr: twice the D rate, twice D's move."""
    moves = {}
    for lr_d in (None, 1e-3, 2e-3):
        start, after = _one_update(d_learning_rate=lr_d)
        moves[lr_d] = {k: v - start[k] for k, v in after.items()}
    for key, move in moves[2e-3].items():
        if key.startswith(("d_xz.", "d_xx.")):
            big = moves[1e-3][key].abs() > 5e-4  # Adam's first step: lr x sign(g) where g != 0
            assert big.any(), key
            assert torch.allclose(move[big], 2 * moves[1e-3][key][big], rtol=1e-3), key
        else:  # E and G keep learning_rate (their gradient sees the moved D)
            assert float(move.abs().max()) < 1.5e-3, key
    for key, move in moves[None].items():  # None: the one rate, bit for bit
        assert torch.equal(move, moves[1e-3][key]), key


def test_dxz_noise_reaches_the_discriminator_step_only_with_its_scale():
    from rcgan import training

    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=3, latent_dim=2))
    cfg = TrainConfig(epochs=1, batch_size=40, learning_rate=1e-3, dxz_noise=0.5)
    seen = {"d": [], "eg": []}
    original = training._Players.update

    def recording(self, xb, z, xt, eg_draws=None, noise=None):
        seen["d"].append((xb.shape[0], xt.shape[0], noise))
        return original(self, xb, z, xt, eg_draws, noise)

    training._Players.update = recording
    try:
        x = torch.randn(200, 3, generator=torch.Generator().manual_seed(3))
        train(nets, x, cfg, torch.Generator().manual_seed(0), penalty=make_penalty("normal"))
    finally:
        training._Players.update = original
    b, n_t, noise = seen["d"][0]
    assert noise.shape == (2 * b + n_t, 3)  # data, generated and penalty pairs
    pooled = torch.cat([n for _, _, n in seen["d"]])
    assert abs(float(pooled.std()) - 0.5) < 0.03
    # zero noise is the plain objective, bit for bit
    x, z, xt = torch.randn(8, 3), torch.randn(8, 2), torch.randn(8, 3)
    with torch.no_grad():
        plain = training.discriminator_objective(nets, x, z, xt)
        zero = training.discriminator_objective(nets, x, z, xt, True, torch.zeros(24, 3))
        noisy = training.discriminator_objective(nets, x, z, xt, True, torch.ones(24, 3))
    assert torch.equal(plain, zero) and not torch.equal(plain, noisy)


def test_estimator_scales_dxz_noise_by_the_rows_spacing(monkeypatch):
    import numpy as np

    from rcgan import RCGAN, estimator
    from rcgan.penalties import nn_spacing

    captured = {}
    real_train = estimator.train

    def capture(nets, xt, config, *args, **kwargs):
        captured["noise"], captured["xt"] = config.dxz_noise, xt
        return real_train(nets, xt, config, *args, **kwargs)

    monkeypatch.setattr(estimator, "train", capture)
    X = np.random.default_rng(0).normal(size=(120, 4))
    RCGAN(dxz_noise=2.0, max_updates=3, epochs=1, random_state=0).fit(X)
    expected = 2.0 * nn_spacing(captured["xt"]) / 2.0  # sqrt(4 features) = 2
    assert captured["noise"] == pytest.approx(expected) and captured["noise"] > 0
    RCGAN(max_updates=3, epochs=1, random_state=0).fit(X)
    assert captured["noise"] == 0.0
