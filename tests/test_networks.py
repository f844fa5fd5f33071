import pytest
import torch

from rcgan.networks import NetworkConfig, build_networks


def test_shapes_and_default_widths():
    nets = build_networks(NetworkConfig(n_features=121, with_dzz=True))
    x = torch.randn(5, 121)
    z = nets.encoder(x)
    assert z.shape == (5, 32)
    assert nets.generator(z).shape == (5, 121)
    assert nets.d_xz(x, z).shape == (5,)
    logit, feat = nets.d_xx(x, x, return_features=True)
    assert logit.shape == (5,) and feat.shape == (5, 128)
    assert nets.d_zz(z, z).shape == (5,)
    # ALAD's KDD widths: E 121-64-32, G 32-64-128-121
    widths = [m.out_features for m in nets.encoder.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [64, 32]
    widths = [m.out_features for m in nets.generator.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [64, 128, 121]


def test_dzz_only_when_asked_and_parameter_groups_disjoint():
    nets = build_networks(NetworkConfig(n_features=3))
    assert nets.d_zz is None
    g = {id(p) for p in nets.generator_parameters()}
    d = {id(p) for p in nets.discriminator_parameters()}
    assert g.isdisjoint(d)
    assert len(g) + len(d) == len(list(nets.parameters()))


def test_dropout_is_active_in_train_and_off_in_eval():
    torch.manual_seed(0)
    nets = build_networks(NetworkConfig(n_features=4, dropout=0.5))
    x = torch.randn(64, 4)
    nets.train()
    a, b = nets.d_xx(x, x), nets.d_xx(x, x)
    assert not torch.equal(a, b)
    nets.eval()
    assert torch.equal(nets.d_xx(x, x), nets.d_xx(x, x))


def test_spectral_norm_bounds_the_layer_norm():
    nets = build_networks(NetworkConfig(n_features=4, spectral_norm=True)).train()
    x = torch.randn(32, 4)
    for _ in range(20):  # power iterations happen in training-mode forwards
        nets.d_xx(x, x)
    nets.eval()
    w = nets.d_xx.out.weight
    assert torch.linalg.matrix_norm(w, ord=2) <= 1.0 + 1e-3


def test_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        build_networks(NetworkConfig(n_features=3, activation="swishy"))
