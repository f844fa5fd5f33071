"""The estimator contract: scikit-learn checks, detection, determinism, errors."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from rcgan import ALAD, RCGAN
from rcgan import load as rcgan_load
from rcgan.data import make_synthetic
from rcgan.estimator import ALAD_WIDTHS

from .conftest import TINY, manifold_data


# Every scikit-learn common check passes: no expected failures.
@parametrize_with_checks([RCGAN(random_state=0, **TINY), ALAD(random_state=0, **TINY)])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_old_score_parameter_is_read_as_scoring_with_a_future_warning():
    with pytest.warns(FutureWarning, match="renamed 'scoring'"):
        det = RCGAN(score="l2")
    assert det.scoring == "l2" and "score" not in det.get_params()
    with pytest.warns(FutureWarning, match="renamed 'scoring'"):
        det.set_params(score="fm_l1")
    assert det.scoring == "fm_l1"
    with pytest.raises(TypeError, match="unexpected keyword"):
        RCGAN(epoch=3)  # a typo is still refused


def test_pipeline_and_grid_search_with_an_outlier_scorer():
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    normal = manifold_data(300, 3)
    X = np.vstack((normal, rng.uniform(-4, 4, size=(40, normal.shape[1]))))
    y = np.r_[np.zeros(300), np.ones(40)]
    pipe = make_pipeline(StandardScaler(), RCGAN(random_state=0, **TINY)).fit(X)
    assert not hasattr(pipe, "score")  # no shadowing string: scikit-learn sees no score()

    def auroc(estimator, X_val, y_val):  # the README's outlier scorer
        return roc_auc_score(y_val, -estimator.score_samples(X_val))

    fold = np.r_[-np.ones(200), np.zeros(140)]  # fit on 200 normal rows, validate on the rest
    search = GridSearchCV(
        RCGAN(random_state=0, **TINY),
        {"scoring": ["discriminator", "l2"]},
        scoring=auroc,
        cv=PredefinedSplit(fold),
    ).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["scoring"] in ("discriminator", "l2")


FAST = dict(epochs=30, learning_rate=1e-3)
#: the paper's method as written (the 0.1.0 parameters otherwise)
PAPER = dict(
    **ALAD_WIDTHS,  # the paper's networks are ALAD's
    penalty="normal",
    penalty_dxx=False,
    scoring="discriminator",
    latent_dim=32,
    max_updates=None,
    d_learning_rate=None,
)


def test_default_score_is_standardised_xz_and_l1_plus_the_raw_range(detection_task):
    train, test, _ = detection_task
    det = RCGAN(random_state=0, epochs=2).fit(train)
    assert det.scoring == "xz+l1+range" and det.penalty == "adaptive-cross"
    assert det.d_learning_rate == 2 * det.learning_rate
    assert det.scaler == "standard-log" and det.preprocessor_.knee == 3.0
    assert det.networks_.config.latent_dim == 2  # "auto": 8 features // 4
    parts = []
    for kind in ("xz", "l1"):
        center, spread = det.score_stats_[kind]
        train_raw = -det.set_params(scoring=kind).score_samples(train)
        np.testing.assert_allclose(
            [center, spread],
            [np.median(train_raw), np.subtract(*np.percentile(train_raw, [75, 25]))],
            rtol=1e-6,
        )
        parts.append((-det.score_samples(test) - center) / spread)
    parts.append(-det.set_params(scoring="range").score_samples(test))  # raw: 0 on training rows
    assert np.any(parts[-1] > 0)
    det.set_params(scoring="xz+l1+range")
    np.testing.assert_allclose(
        det.anomaly_score(test), np.mean(parts, axis=0), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "scoring", ["xz+l2", "xz+d+l1", "xz+l1+range", "l2", "xz", "discriminator"]
)
def test_training_scores_taken_on_the_way_equal_a_scoring_pass(detection_task, scoring):
    # fit reads the training rows' scores off the pass that sets the combined
    # score's statistics; they must be the scores a separate pass gives
    train, _, _ = detection_task
    det = RCGAN(random_state=0, max_updates=20, scoring=scoring).fit(train)
    x = det.preprocessor_.to_tensor(train, torch.device("cpu"))
    np.testing.assert_array_equal(det.decision_scores_, det._tensor_scores(x))


@pytest.mark.parametrize("cls", [RCGAN, ALAD])
def test_detects_off_manifold_points(cls, detection_task):
    train, test, y = detection_task
    det = cls(random_state=0, **FAST).fit(train)
    scores = det.anomaly_score(test)
    assert roc_auc_score(y, scores) > 0.95
    # the two sign conventions agree
    assert roc_auc_score(y, -det.score_samples(test)) > 0.95
    assert len(np.unique(scores)) > 0.9 * len(scores)


def test_eq11_score_is_in_unit_interval(detection_task):
    train, test, _ = detection_task
    det = RCGAN(random_state=0, epochs=2, scoring="discriminator").fit(train)
    a = det.anomaly_score(test)
    assert np.all((a >= 0) & (a <= 1))
    # A(x) = 1 - D_xx(x, G(E(x))), computed here from the networks directly
    nets = det.networks_
    x = det.network_input(test)
    with torch.no_grad():
        d_xx = torch.sigmoid(nets.d_xx(x, nets.generator(nets.encoder(x)))).double().numpy()
    np.testing.assert_allclose(a, 1 - d_xx, rtol=1e-4, atol=1e-6)


def test_same_seed_bit_identical_and_global_rng_untouched(detection_task):
    train, test, _ = detection_task
    torch.manual_seed(1234)
    np.random.seed(1234)  # noqa: NPY002 - the legacy global state is what must stay put
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()  # noqa: NPY002
    a = RCGAN(random_state=7, epochs=3).fit(train).score_samples(test)
    b = RCGAN(random_state=7, epochs=3).fit(train).score_samples(test)
    assert np.array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert all(np.array_equal(x, y) for x, y in zip(np.random.get_state(), np_state, strict=True))  # noqa: NPY002
    c = RCGAN(random_state=8, epochs=3).fit(train).score_samples(test)
    assert not np.allclose(a, c)


def test_offset_predict_and_contamination():
    X = manifold_data(400, 3)
    det = RCGAN(random_state=0, contamination=0.2, epochs=3).fit(X)
    pred = det.predict(X)
    assert set(np.unique(pred)) <= {-1, 1}
    assert abs(np.mean(pred == -1) - 0.2) < 0.01
    np.testing.assert_allclose(det.decision_function(X), det.score_samples(X) - det.offset_)


def _far_points(X, n=300, seed=5):
    """Points 10-50 training std from the mean, in random directions."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=(n, X.shape[1]))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    return X.mean(0) + direction * X.std(0) * rng.uniform(10, 50, size=(n, 1))


FAR_DATA = {
    "four-dot": lambda: make_synthetic("four-dot", 1000, random_state=0),
    "gauss20": lambda: np.random.default_rng(0).normal(size=(1000, 20)),
}


def test_penalty_along_the_data_finds_anomalies_that_extend_it():
    # 20 features on a 2-d plane (plus small noise); the anomalies lie on the
    # plane, beyond the data's ends along its main axis. Isotropic noise of
    # norm ~sqrt(20) ("adaptive") leaves that direction nearly unpenalised,
    # and D_xz extrapolates; moving rows by row differences ("adaptive-diff")
    # covers it (README "Decisions"; WDBC in the suite is this case). Shown at
    # the 0.4 widths (ALAD's): the 0.5 defaults, twice as wide, reach an AUROC
    # of 0.97 here with either penalty after 600 updates.
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(20, 2)))[0]
    coords = rng.normal(size=(500, 2)) * [2.0, 0.7]
    X = coords @ basis.T + 0.1 * rng.normal(size=(500, 20))
    far = rng.normal(size=(40, 2)) * [2.0, 0.7]
    far[:, 0] = np.sign(far[:, 0] + 1e-9) * (np.abs(far[:, 0]) + 4.0)
    test = np.vstack((X[400:], far @ basis.T + 0.1 * rng.normal(size=(40, 20))))
    y = np.r_[np.zeros(100), np.ones(40)]
    auroc = {
        p: roc_auc_score(
            y,
            RCGAN(penalty=p, scoring="xz", max_updates=600, random_state=0, **ALAD_WIDTHS)
            .fit(X[:400])
            .anomaly_score(test),
        )
        for p in ("adaptive", "adaptive-diff")
    }
    assert auroc["adaptive-diff"] > 0.9
    assert auroc["adaptive-diff"] > auroc["adaptive"] + 0.1


@pytest.mark.parametrize("data", sorted(FAR_DATA))
def test_far_outliers_get_high_scores(data):
    """The paper's Section 6 weakness and its fix.

    With the paper's t(x) = N(0, I) and Eq. (9) as written, many far points
    score as normal (the weakness is real on these data); with the defaults
    (the adaptive penalty, whose radial half reaches 3 times past the data,
    and the D_xz + L2 score), and with the wide penalty shown to D_xx and
    Eq. (11), every far point ranks above 99.9 % of the training rows.
    """
    X = FAR_DATA[data]()
    far = _far_points(X)

    def share_above(det):
        return np.mean(det.anomaly_score(far) > np.quantile(det.anomaly_score(X), 0.999))

    paper = RCGAN(random_state=0, **PAPER, **FAST).fit(X)
    assert share_above(paper) < 0.9
    fixed = RCGAN(random_state=0, **FAST).fit(X)
    assert fixed.penalty == "adaptive-cross" and fixed.penalty_dxx
    assert share_above(fixed) == 1.0
    wide = RCGAN(random_state=0, **PAPER, **FAST).set_params(
        penalty="normal-wide", penalty_dxx=True
    )
    assert share_above(wide.fit(X)) == 1.0


def test_fewer_rows_than_batch_size_and_one_row():
    X = manifold_data(7, 0)
    det = RCGAN(random_state=0, batch_size=50, epochs=2).fit(X)
    assert det.score_samples(X).shape == (7,)
    assert RCGAN(random_state=0, epochs=1).fit(X[:1]).score_samples(X).shape == (7,)


def test_alad_is_the_baseline_configuration():
    X = manifold_data(100, 0)
    alad = ALAD(random_state=0, epochs=1).fit(X)
    assert alad.networks_.d_zz is not None and alad.penalty is None
    rcgan = RCGAN(random_state=0, epochs=1).fit(X)
    assert rcgan.networks_.d_zz is None and rcgan.penalty is not None


def test_not_fitted():
    for method in ("score_samples", "decision_function", "predict", "anomaly_score", "save"):
        with pytest.raises(NotFittedError):
            getattr(RCGAN(), method)(np.zeros((2, 2)) if method != "save" else "x.rcgan")


BAD_INPUTS = [
    ("nan", np.array([[0.0, np.nan], [1.0, 2.0]]), "NaN"),
    ("inf", np.array([[0.0, np.inf], [1.0, 2.0]]), "infinity"),
    ("empty", np.zeros((0, 3)), "0 sample"),
    ("no features", np.zeros((3, 0)), "0 feature"),
    ("1-D", np.array([1.0, 2.0, 3.0]), "2D array"),
    ("strings", np.array([["a", "b"], ["c", "d"]]), "convert"),
    ("3-D, not an image", np.zeros((2, 2, 2)), "28 x 28"),
    ("5-D", np.zeros((2, 1, 2, 2, 2)), "dim 5"),
]


@pytest.mark.parametrize("name,X,match", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_training_input(name, X, match):
    with pytest.raises(ValueError, match=match):
        RCGAN(epochs=1).fit(X)


@pytest.mark.parametrize("name,X,match", BAD_INPUTS[:2], ids=[b[0] for b in BAD_INPUTS[:2]])
def test_bad_scoring_input(name, X, match):
    det = RCGAN(random_state=0, epochs=1).fit(np.random.default_rng(0).normal(size=(20, 2)))
    with pytest.raises(ValueError, match=match):
        det.score_samples(X)


def test_wrong_feature_count_at_scoring():
    det = RCGAN(random_state=0, epochs=1).fit(np.zeros((10, 3)) + np.arange(10)[:, None])
    with pytest.raises(ValueError, match="3 features"):
        det.predict(np.zeros((2, 4)))


BAD_PARAMS = [
    ({"penalty": "gaussian"}, "valid names"),
    ({"learning_rate": True}, "learning_rate"),
    ({"max_updates": 0}, "max_updates"),
    ({"penalty_scale": -1.0}, "penalty_scale"),
    ({"epochs": -1}, "epochs"),
    ({"epochs": 2.5}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"latent_dim": 0}, "latent_dim"),
    ({"latent_dim": "big"}, "'auto' or an integer"),
    ({"encoder_hidden": (64, -3)}, "encoder_hidden"),
    ({"disc_xx_hidden": ()}, "disc_xx_hidden"),
    ({"dropout": 1.0}, "dropout"),
    ({"scoring": "energy"}, "valid values"),
    ({"scaler": "robust"}, "scaler"),
    ({"contamination": 0.7}, "contamination"),
    ({"ema": 1.5}, "ema"),
    ({"beta1": 1.0}, "beta1"),
    ({"activation": "swish"}, "activation"),
    ({"device": "not-a-device"}, "device"),
    ({"n_jobs": 0}, "n_jobs"),
]


@pytest.mark.parametrize("params,match", BAD_PARAMS, ids=[str(p[0]) for p in BAD_PARAMS])
def test_bad_parameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        RCGAN(**params).fit(np.random.default_rng(0).normal(size=(10, 2)))


@pytest.mark.parametrize("scaler", ["standard", "minmax", "unit", None])
def test_scalers(scaler):
    X = np.random.default_rng(0).normal(loc=100.0, scale=[1.0, 50.0], size=(200, 2))
    det = RCGAN(random_state=0, epochs=1, scaler=scaler).fit(X)
    Z = (X - det.center_) / det.scale_
    if scaler == "standard":
        np.testing.assert_allclose(Z.mean(0), 0, atol=1e-9)
        np.testing.assert_allclose(Z.std(0), 1, atol=1e-9)
    elif scaler == "minmax":
        np.testing.assert_allclose(Z.min(0), -1, atol=1e-9)
        np.testing.assert_allclose(Z.max(0), 1, atol=1e-9)
    elif scaler == "unit":
        np.testing.assert_allclose(Z.min(0), 0, atol=1e-9)
        np.testing.assert_allclose(Z.max(0), 1, atol=1e-9)
    else:
        np.testing.assert_array_equal(Z, X)


def test_tail_compression_is_monotone_invertible_and_smooth():
    from rcgan.preprocessing import TAIL_KNEE, compress_tails, expand_tails

    z = np.linspace(-400.0, 400.0, 8001)
    c = compress_tails(z, TAIL_KNEE)
    inside = np.abs(z) <= TAIL_KNEE
    np.testing.assert_array_equal(c[inside], z[inside])  # the bulk is untouched
    assert np.all(np.diff(c) > 0)  # monotone: ranks within a feature are kept
    assert abs(c[-1]) < TAIL_KNEE + np.log1p(400.0)  # 400 sd -> under 9
    np.testing.assert_allclose(expand_tails(c, TAIL_KNEE), z, rtol=1e-12, atol=1e-9)
    eps = 1e-6  # slope 1 on both sides of the knee
    knee = compress_tails(np.array([TAIL_KNEE - eps, TAIL_KNEE, TAIL_KNEE + eps]), TAIL_KNEE)
    np.testing.assert_allclose(np.diff(knee) / eps, 1.0, rtol=1e-5)
    t = torch.linspace(-400.0, 400.0, 101, dtype=torch.float64)
    np.testing.assert_allclose(compress_tails(t, 3.0).numpy(), compress_tails(t.numpy(), 3.0))


def test_in_place_tail_compression_gives_the_same_bits():
    from rcgan.preprocessing import TAIL_KNEE, compress_tails, compress_tails_

    for dtype in (torch.float32, torch.float64):
        knee = torch.tensor(TAIL_KNEE, dtype=dtype)
        edges = torch.stack([knee, knee.nextafter(knee + 1), knee.nextafter(knee - 1)])
        z = torch.cat(
            (
                torch.linspace(-400.0, 400.0, 8001, dtype=dtype),
                torch.randn(4096, dtype=dtype, generator=torch.Generator().manual_seed(0)) * 5,
                edges,
                -edges,
                torch.tensor([0.0, -0.0], dtype=dtype),
            )
        ).reshape(-1, 5)
        before = z.clone()
        out = compress_tails_(z, TAIL_KNEE)
        assert out.data_ptr() == z.data_ptr()  # in place
        assert torch.equal(out, compress_tails(before, TAIL_KNEE))
        assert (before.abs() > TAIL_KNEE).any() and (before.abs() <= TAIL_KNEE).any()


def test_standard_log_scaler_bounds_heavy_tails(tmp_path):
    rng = np.random.default_rng(0)
    X = np.column_stack((rng.normal(size=400), (rng.random(400) < 0.01).astype(float)))
    X[:2, 1] = 1.0  # a rare one-hot category: ~9 standard deviations out
    det = RCGAN(random_state=0, max_updates=30, scaler="standard-log").fit(X)
    z = det.network_input(X).numpy()
    plain = (X - det.center_) / det.scale_  # the standardisation before compression
    top = np.abs(plain).max()
    assert top > 8 and np.isclose(np.abs(z).max(), 3 + np.log1p(top - 3), rtol=1e-5)  # ~4.9
    np.testing.assert_allclose(z[np.abs(plain) <= 3], plain[np.abs(plain) <= 3], atol=1e-6)
    rec = det.reconstruct(X)  # back in input units
    np.testing.assert_allclose(
        det.network_input(rec).numpy(),
        det.networks_.eval().reconstruct(det.network_input(X)).detach().numpy(),
        atol=1e-4,
    )
    np.testing.assert_allclose(det.explain(X).sum(axis=1), 1.0)
    det.save(tmp_path / "m.rcgan")
    again = rcgan_load(tmp_path / "m.rcgan")
    assert np.array_equal(again.anomaly_score(X), det.anomaly_score(X))


def test_explain_decomposes_the_l1_part_of_every_l1_score(detection_task):
    train, test, _ = detection_task
    det = RCGAN(random_state=0, max_updates=20).fit(train)
    l1 = det.set_params(scoring="l1").explain(test)
    for kind in ("xz+l1", "xz+d+l1", "xz+l1+range"):  # absolute residuals, as L1 sums them
        assert np.array_equal(det.set_params(scoring=kind).explain(test), l1)
    assert not np.allclose(det.set_params(scoring="l2").explain(test), l1)


def test_constant_feature_does_not_divide_by_zero():
    X = np.column_stack((np.random.default_rng(0).normal(size=50), np.full(50, 3.0)))
    det = RCGAN(random_state=0, epochs=1).fit(X)
    assert np.all(np.isfinite(det.score_samples(X)))


def test_pickle_round_trip(detection_task):
    train, test, _ = detection_task
    det = RCGAN(random_state=0, epochs=2).fit(train)
    again = pickle.loads(pickle.dumps(det))
    assert np.array_equal(again.score_samples(test), det.score_samples(test))


def test_threads_restored_and_progress_bar(capsys):
    torch.set_num_threads(2)  # differs from n_jobs=1 below
    RCGAN(random_state=0, epochs=2, n_jobs=1, verbose=True).fit(manifold_data(50, 0))
    assert torch.get_num_threads() == 2
    assert "training" in capsys.readouterr().err


def test_unseeded_fit_leaves_numpy_global_state_alone():
    np.random.seed(5)  # noqa: NPY002
    state = np.random.get_state()  # noqa: NPY002
    a = RCGAN(epochs=1).fit(manifold_data(40, 0))
    b = RCGAN(epochs=1).fit(manifold_data(40, 0))
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(x, y) for x, y in zip(after, state, strict=True))
    X = manifold_data(10, 1)
    assert not np.array_equal(a.score_samples(X), b.score_samples(X))  # fresh seeds differ


@pytest.mark.parametrize(
    "params,match",
    [
        ({"spectral_norm": "no"}, "spectral_norm"),
        ({"penalty_dxx": 1}, "penalty_dxx"),
        ({"learning_rate": float("inf")}, "learning_rate"),
    ],
)
def test_more_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        RCGAN(**params).fit(np.random.default_rng(0).normal(size=(10, 2)))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_cuda_requested_without_cuda():
    with pytest.raises(ValueError, match="CUDA is not available"):
        RCGAN(device="cuda").fit(np.zeros((5, 2)))


def test_all_cores_option():
    det = RCGAN(random_state=0, epochs=1, n_jobs=-1).fit(manifold_data(40, 0))
    assert det.score_samples(manifold_data(5, 1)).shape == (5,)


def test_range_part_is_the_excess_over_the_training_range(detection_task, tmp_path):
    # "range": per feature, how far the scaled row lies beyond the training
    # rows' minimum or maximum, summed; 0 on every training row; it enters
    # "xz+l1+range" unstandardised (no statistics) beside the two z-scores
    train, test, _ = detection_task
    det = RCGAN(random_state=0, max_updates=20, scoring="xz+l1+range").fit(train)
    x_train, x_test = det.network_input(train).numpy(), det.network_input(test).numpy()
    low, high = x_train.min(axis=0), x_train.max(axis=0)
    expected = (np.maximum(x_test - high, 0) + np.maximum(low - x_test, 0)).sum(axis=1)
    assert expected.max() > 0  # the test rows do leave the range
    assert "range" not in det.score_stats_  # it enters unstandardised
    combined = det.anomaly_score(test)
    parts = [expected]
    for kind in ("xz", "l1"):
        center, spread = det.score_stats_[kind]
        parts.append((-det.set_params(scoring=kind).score_samples(test) - center) / spread)
    np.testing.assert_allclose(combined, np.mean(parts, axis=0), rtol=1e-5, atol=1e-5)
    det.set_params(scoring="range")
    np.testing.assert_allclose(det.anomaly_score(test), expected, rtol=1e-5, atol=1e-5)
    assert np.all(det.anomaly_score(train) == 0)
    # the range travels in the model file
    det.set_params(scoring="xz+l1+range").save(tmp_path / "m.rcgan")
    again = rcgan_load(tmp_path / "m.rcgan")
    assert np.array_equal(again.anomaly_score(test), combined)
    # explain(part="range"): each feature's share of that excess
    per_feature = np.maximum(x_test - high, 0) + np.maximum(low - x_test, 0)
    shares = again.explain(test, part="range")
    outside = expected > 0
    np.testing.assert_allclose(
        shares[outside], per_feature[outside] / expected[outside, None], rtol=1e-5, atol=1e-6
    )
    assert np.all(shares[~outside] == 0) and np.all(det.explain(train, part="range") == 0)
    with pytest.raises(ValueError, match="part must be"):
        det.explain(test, part="l1")


def test_a_model_without_the_training_range_refuses_the_range_score(detection_task):
    # a model file written before 0.8.5 has no feature_range_: its other
    # scores work (its parameters name its own score: "xz+l1" in 0.8), the
    # range scores say why they cannot be computed
    train, test, _ = detection_task
    det = RCGAN(random_state=0, max_updates=20, scoring="xz+l1").fit(train)
    det.networks_.feature_low = det.networks_.feature_high = None
    assert "feature_range_" not in det._fitted_extra()
    assert np.all(np.isfinite(det.anomaly_score(test)))
    for kind in ("range", "xz+l1+range"):
        with pytest.raises(ValueError, match="training rows' range"):
            det.set_params(scoring=kind).anomaly_score(test)
    with pytest.raises(ValueError, match="training rows' range"):
        det.explain(test, part="range")


def test_auto_penalty_scale_is_set_from_the_data_and_otherwise_changes_nothing():
    rng = np.random.default_rng(0)
    # a thin curve in 20 features: the near draws already lie off it at bandwidth 1
    t = rng.uniform(0, 6, size=(600, 1))
    curve = np.hstack([np.sin(t * k) for k in range(1, 21)])
    auto = RCGAN(random_state=3, epochs=2, penalty_scale="auto").fit(curve)
    fixed = RCGAN(random_state=3, epochs=2, penalty_scale=1.0).fit(curve)
    assert auto.penalty_scale_ == fixed.penalty_scale_ == 1.0
    np.testing.assert_array_equal(auto.score_samples(curve), fixed.score_samples(curve))
    # few rows in few features: widened, and trained at the wider scale
    blob = rng.normal(size=(300, 4))
    wide = RCGAN(random_state=3, epochs=2, penalty_scale="auto").fit(blob)
    assert wide.penalty_scale_ > 1.0
    same = RCGAN(random_state=3, epochs=2, penalty_scale=wide.penalty_scale_).fit(blob)
    np.testing.assert_array_equal(wide.score_samples(blob), same.score_samples(blob))


@pytest.mark.parametrize("params", [{"penalty": "normal"}, {"penalty_scale": "wide"}])
def test_auto_penalty_scale_is_refused_where_it_means_nothing(params):
    X = np.random.default_rng(0).normal(size=(50, 3))
    det = RCGAN(epochs=1, **{"penalty_scale": "auto", **params})
    with pytest.raises(ValueError, match="auto"):
        det.fit(X)
