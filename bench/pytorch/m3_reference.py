"""PyTorch (CPU) reference of the mmssl model and of the three steps `mmssl bench` times.

Written from the crate's Rust sources, to be timed beside `mmssl bench --json` on the same
machine in the same run (see `bench/side_by_side.sh`, `bench/README.md`). Timing only: the
inputs are random normal tensors and nothing is trained to convergence.

Usage:
    python bench/pytorch/m3_reference.py [--threads N] [--repeats 10] [--warmup 2] [--params]

Prints one JSON object shaped like `mmssl bench --json`:
    {"device": "cpu", "threads": N, "steps": 50, "dims": [300, 74, 35], "repeats": R,
     "warmup": W, "timings": [{"name": "supervised step", "batch": 32, "median_ms": ...,
     "min_ms": ..., "samples_per_s": ...}, {"name": "ssl step (2 views)", "batch": 170, ...},
     {"name": "inference", "batch": 32, ...}], ...}
plus a few extra keys ("implementation", "torch", "mkldnn", "parameters").

The model classes take their sizes as arguments (defaulting to the thesis's, below), so
`interop/load_in_pytorch.py` imports them to load a trained mmssl run into PyTorch.

What is measured (src/cli/bench.rs `run`):
  * "supervised step", batch 32: `supervised_step` (src/train/supervised.rs): encoder with
    dropout on, head, L1 loss (mean |y_hat - y|), backward, one Adam step.
  * "ssl step (2 views)", batch 170: `transformator.views` (src/augment/transformator.rs) on the
    batch, then `ssl_step` (src/train/ssl.rs): both views through encoder + projector in
    training mode (two separate forward passes, so BatchNorm statistics are per view),
    normalised cross-correlation, Barlow Twins loss, backward, one Adam step, and the step's
    diagnostics (loss value, the terms of C, the embedding std of view A).
  * "inference", batch 32: `model.forward_t(batch, false)` copied to the host (`to_vec1`).
  * Every sequence at the full 50 steps (`full_length_batch`), dims 300 / 74 / 35.
  * One optimiser for both training steps, as bench.rs builds it: Adam over every trainable
    parameter (`vars_with_prefix(&varmap, "")`) at `cfg.supervised.lr` = 3e-4
    (src/train/config.rs `SupervisedConfig::default`), also for the SSL step.
  * Median = sorted[len // 2] and min over `repeats` timed calls after `warmup` untimed ones
    (bench.rs `measure`).

Where this model matches ours (RunConfig::default() with methodology ssl-finetune, built by
src/train/run.rs `build_model`: `Model::seeded(.., with_projector = true, .., F32, ..)`):
  * Sizes (src/model/config.rs `ModelConfig::default`): inputs 300 / 74 / 35, hidden 100,
    attention projection 100, fusion hidden 100, dropout 0.2, projector [1000, 1000, 1000].
  * LSTM (src/model/lstm.rs, src/model/fused_lstm.rs): one layer, one direction, zero initial
    state, gate order i, f, g, o, two bias vectors (weight_ih [4H, in], weight_hh [4H, H],
    bias_ih, bias_hh), all U(-1/sqrt(H), 1/sqrt(H)): exactly `torch.nn.LSTM`'s layout and
    initialisation, so `nn.LSTM(batch_first=True)` is used.
  * Modality encoder (src/model/encoder.rs `ModalityEncoder`): m = SelfAttention(dropout(LSTM(x))).
  * Attention (src/model/attention.rs): bias-free query / key / value projections, Xavier-uniform
    U(+-sqrt(6 / (in + out))); scores = Q K^T * (1 / sqrt(d)) + key_bias; softmax over keys;
    dropout on the attention weights; times V. No causal mask. key_bias = mask * 1e9 - 1e9,
    shape [B, 1, T] (`key_bias`, PADDED_KEY_SCORE = -1e9), added, not a -inf fill.
  * Cross-modal network (src/model/cross_modal.rs): symmetric TA, TV, AV with separate kl / lk
    projections, a_kl = Att(q = m_k, ctx = m_l) + m_k, a_lk = Att(q = m_l, ctx = m_k) + m_l,
    m_kl = a_kl + a_lk; trimodal m_TAV = Att(q = m_AV, ctx = m_T) without residual; the
    concatenation m_T | m_A | m_V | m_TAV | m_AV | m_TV | m_TA ([B, T, 700]).
  * Fusion (src/model/encoder.rs `Encoder::forward_t`): one-directional LSTM 700 -> 100, the
    state at step lengths[b] - 1 taken with the same one-hot matmul (`last_real_step`), then
    dropout on the pooled vector. Dropout sites: each modality LSTM's outputs (3), every
    attention weight matrix (3 self + 6 symmetric + 1 trimodal = 10), the fused vector (1);
    inverted dropout, p = 0.2, survivors scaled by 1 / 0.8 (src/model/dropout.rs).
  * Head (src/model/head.rs): Linear(100, 1) with bias, PyTorch's default initialisation.
  * Projector (src/model/projector.rs): Linear(100, 1000, bias=False) -> BatchNorm1d -> ReLU ->
    Linear(1000, 1000, bias=False) -> BatchNorm1d -> ReLU -> Linear(1000, 1000, bias=False);
    linears U(+-1/sqrt(in)) (src/model/init.rs `linear`, = PyTorch's default). candle's
    BatchNorm with its default config (eps 1e-5, momentum 0.1, affine, batch statistics with
    the biased variance in training, running variance updated with the unbiased one, running
    statistics in evaluation) is PyTorch's BatchNorm1d in both modes; its running statistics
    are buffers here and excluded from the optimiser there (src/model/mod.rs `is_buffer`).
  * Parameter count: 3,010,901 trainable parameters in both (encoder 906,800, projector
    2,104,000, head 101), as tests/model.rs `parameter_counts_of_the_thesis_model` computes from
    the layer formulas; `--params` prints this model's per-module counts.
  * Loss (src/loss/barlow_twins.rs `cross_correlation`, `barlow_twins_loss_from_c`): per
    dimension centred over the batch, divided by sqrt(sum of squares + eps * N) with eps = 1e-8
    (`DEFAULT_EPS`), C = A^T B ([1000, 1000]); loss = sum(((I - C) * I)^2)
    + lambda * sum((C * (1 - I))^2) with lambda = 2e-2, written with the same identity masks.
    (fidelity is thesis-text by default, so not the unnormalised released-code C.)
  * SSL diagnostics (src/train/ssl.rs `ssl_step`, `embedding_std`; src/loss `barlow_twins_terms`):
    loss to a scalar, on- / off-diagonal terms and mean diagonal of C in f64, per-dimension
    unbiased std of z_a in f64 (mean and min).
  * Augmentation (src/augment/config.rs `AugmentConfig::default`, masking.rs, transformator.rs):
    order ["masking"] only; stream A then stream B, each on its own copy of the batch; per
    stream one coin per modality (text, audio, visual, in that order) with p = 0.6, and on a
    hit each real step of each sample zeroed as a whole vector independently with probability
    0.7 (timestep mode); padding untouched (here every step is real).
  * Optimiser (src/train/optim.rs `adam`): Adam, betas (0.9, 0.999), eps 1e-8, weight decay 0 =
    torch.optim.Adam defaults at lr 3e-4. Parameters without a gradient in a step (the
    projector in the supervised step, the head in the SSL step) are not updated in either.
  * f32 throughout, CPU, dropout on in both training steps, off (and BatchNorm unused) in
    inference.

Where it cannot match exactly (none of these changes the amount of arithmetic much, but some
change its cost, which is the point of a benchmark):
  * Random numbers: ours draws every initial value, dropout mask and augmentation coin from
    seeded ChaCha8 streams on the host (src/model/init.rs, src/model/dropout.rs, src/rng.rs);
    here torch's generators. Same distributions, different numbers, so losses are not
    comparable value for value. Cost differs too: our dropout draws one u32 per element on one
    host thread and copies the mask into a tensor; `torch.nn.functional.dropout` uses torch's
    own (vectorised) bernoulli kernel. Likewise our masking draws one f32 per step in a scalar
    loop; here one `torch.rand` per [B, T].
  * LSTM kernels: ours is a fused custom op (gemm crate per step, rayon over blocks of samples,
    an f32 rational tanh / sigmoid approximation accurate to a few ulp, a backward that
    recomputes the forward pass; src/model/fused_lstm.rs), with the input projection as one
    explicit matmul (src/model/lstm.rs). `nn.LSTM` on CPU in f32 runs oneDNN's RNN primitive,
    forward and backward (aten::mkldnn_rnn_layer / _backward, seen with torch 2.15's profiler),
    when torch.backends.mkldnn is enabled (the default; reported as "mkldnn" in the output),
    else ATen's cell loop. Same equations, results equal to rounding only.
  * Adam bookkeeping: candle's AdamW keeps one step counter for the optimiser (bias correction
    uses it for every parameter) and multiplies theta by (1 - lr * 0); torch.optim.Adam keeps
    a counter per parameter and, on CPU, runs its single-tensor loop (foreach / fused are not
    chosen by default on CPU). The head, which gets no SSL gradient, is thus bias-corrected
    with a different t after the first SSL step; the cost is the same up to one elementwise op.
  * Diagnostics: ours copies C (10^6 values) and z_a to host vectors and loops in f64; here the
    same quantities as f64 tensor ops (cheaper, same values to rounding).
  * Inference: ours is a plain forward with train = false (candle still records the op graph,
    which costs references, not arithmetic); here model.eval() under torch.no_grad(), as a
    PyTorch user would write it.
  * Inputs: ours the first 32 / 170 utterances of the synthetic stand-in, standardised, with
    their labels; here random normal tensors and labels. The shapes, lengths (all 50) and mask
    (all ones) are the same; values do not change the work done.
  * Host-to-device copies: ours converts the two host views to tensors (`HostBatch::to_device`)
    inside the timed SSL step; here the views are tensors from the start (the clones stand in
    for that copy).
  * Threads: ours uses rayon's pool (RAYON_NUM_THREADS, which candle's matmul also reads);
    here torch's intra-op pool set by torch.set_num_threads(--threads). Both report the count.
"""

import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

# src/cli/bench.rs and the defaults of src/model/config.rs, src/train/config.rs,
# src/loss/barlow_twins.rs and src/augment/config.rs.
STEPS = 50
INPUT_DIMS = (300, 74, 35)  # text, audio, visual
HIDDEN = 100
ATTENTION_DIM = 100
FUSION_HIDDEN = 100
DROPOUT = 0.2
PROJECTOR = (1000, 1000, 1000)
SUPERVISED_BATCH = 32
SSL_BATCH = 170
SUPERVISED_LR = 3e-4  # bench.rs's single optimiser, used for both steps
BT_LAMBDA = 2e-2
BT_EPS = 1e-8
PADDED_KEY_SCORE = -1e9
MASKING_P = (0.6, 0.6)  # per stream: application probability per modality and batch
MASKING_PERCENTAGE = (0.7, 0.7)  # per stream: share of real steps zeroed (timestep mode)


class Batch:
    """src/data/batch.rs `Batch`: three [B, T, d] inputs, mask [B, T] (1 real), lengths, labels."""

    def __init__(self, modalities, mask, lengths, labels):
        self.modalities = modalities
        self.mask = mask
        self.lengths = lengths
        self.labels = labels

    def clone(self):
        return Batch(
            [x.clone() for x in self.modalities],
            self.mask.clone(),
            self.lengths.clone(),
            self.labels.clone(),
        )


def key_bias(mask):
    """src/model/attention.rs `key_bias`: 0 on real keys, -1e9 on padded keys, [B, 1, T]."""
    return (mask * -PADDED_KEY_SCORE + PADDED_KEY_SCORE).unsqueeze(1)


def xavier_projection(in_dim, out_dim):
    """src/model/init.rs `xavier_projection`: bias-free, U(+-sqrt(6 / (in + out)))."""
    layer = nn.Linear(in_dim, out_dim, bias=False)
    nn.init.xavier_uniform_(layer.weight)
    return layer


class Attention(nn.Module):
    """src/model/attention.rs `Attention`: dropout(softmax(Q K^T / sqrt d + key_bias)) V."""

    def __init__(self, query_dim, context_dim, dim, dropout):
        super().__init__()
        self.query = xavier_projection(query_dim, dim)
        self.key = xavier_projection(context_dim, dim)
        self.value = xavier_projection(context_dim, dim)
        self.scale = 1.0 / math.sqrt(dim)
        self.p = dropout

    def forward(self, queries, context, bias):
        q = self.query(queries)
        k = self.key(context)
        v = self.value(context)
        scores = torch.matmul(q, k.transpose(1, 2)) * self.scale + bias
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(F.dropout(weights, self.p, self.training), v)


class ModalityEncoder(nn.Module):
    """src/model/encoder.rs `ModalityEncoder`: SelfAttention(dropout(LSTM(x)))."""

    def __init__(self, in_dim, hidden=HIDDEN, attention_dim=ATTENTION_DIM, dropout=DROPOUT):
        super().__init__()
        self.lstm = nn.LSTM(in_dim, hidden, num_layers=1, batch_first=True)
        self.attention = Attention(hidden, hidden, attention_dim, dropout)
        self.p = dropout

    def forward(self, x, bias):
        states, _ = self.lstm(x)
        states = F.dropout(states, self.p, self.training)
        return self.attention(states, states, bias)


class SymmetricAttention(nn.Module):
    """src/model/cross_modal.rs `SymmetricAttention`: (Att(m_k, m_l) + m_k) + (Att(m_l, m_k) + m_l)."""

    def __init__(self, dim, dropout=DROPOUT):
        super().__init__()
        self.kl = Attention(dim, dim, dim, dropout)
        self.lk = Attention(dim, dim, dim, dropout)

    def forward(self, m_k, m_l, bias):
        a_kl = self.kl(m_k, m_l, bias) + m_k
        a_lk = self.lk(m_l, m_k, bias) + m_l
        return a_kl + a_lk


class CrossModal(nn.Module):
    """src/model/cross_modal.rs `CrossModal`: TA, TV, AV, TAV and the eq. 6.4.2 concatenation."""

    def __init__(self, dim, dropout=DROPOUT):
        super().__init__()
        self.ta = SymmetricAttention(dim, dropout)
        self.tv = SymmetricAttention(dim, dropout)
        self.av = SymmetricAttention(dim, dropout)
        self.tav = Attention(dim, dim, dim, dropout)

    def forward(self, m, bias):
        m_t, m_a, m_v = m
        m_ta = self.ta(m_t, m_a, bias)
        m_tv = self.tv(m_t, m_v, bias)
        m_av = self.av(m_a, m_v, bias)
        m_tav = self.tav(m_av, m_t, bias)  # queries from m_AV, keys / values from m_T
        return torch.cat([m_t, m_a, m_v, m_tav, m_av, m_tv, m_ta], dim=2)


def last_real_step(states, lengths):
    """src/model/encoder.rs `last_real_step`: states[b, lengths[b] - 1] by a one-hot matmul."""
    batch, steps, _ = states.shape
    positions = torch.arange(1, steps + 1).unsqueeze(0)
    one_hot = (positions == lengths.reshape(batch, 1)).to(states.dtype).unsqueeze(1)
    return torch.matmul(one_hot, states).squeeze(1)


class Encoder(nn.Module):
    """src/model/encoder.rs `Encoder`: the fused vector m_o, [B, fusion_hidden] ([B, 100])."""

    def __init__(
        self,
        input_dims=INPUT_DIMS,
        hidden=HIDDEN,
        attention_dim=ATTENTION_DIM,
        fusion_hidden=FUSION_HIDDEN,
        dropout=DROPOUT,
    ):
        super().__init__()
        self.text = ModalityEncoder(input_dims[0], hidden, attention_dim, dropout)
        self.audio = ModalityEncoder(input_dims[1], hidden, attention_dim, dropout)
        self.visual = ModalityEncoder(input_dims[2], hidden, attention_dim, dropout)
        self.cross = CrossModal(attention_dim, dropout)
        # `fusion.lstm`, as our variable names.
        self.fusion = nn.ModuleDict(
            {"lstm": nn.LSTM(7 * attention_dim, fusion_hidden, num_layers=1, batch_first=True)}
        )
        self.p = dropout

    def forward(self, batch):
        bias = key_bias(batch.mask)
        encoders = (self.text, self.audio, self.visual)
        m = [enc(x, bias) for enc, x in zip(encoders, batch.modalities)]
        fused = self.cross(m, bias)
        states, _ = self.fusion["lstm"](fused)
        pooled = last_real_step(states, batch.lengths)
        return F.dropout(pooled, self.p, self.training)


class Projector(nn.Module):
    """src/model/projector.rs `Projector`: Linear -> BN -> ReLU -> Linear -> BN -> ReLU -> Linear.

    Submodules named as our variables: `linear{i}`, `bn{i}`."""

    def __init__(self, in_dim, sizes):
        super().__init__()
        self.layers = len(sizes)
        for i, out_dim in enumerate(sizes):
            self.add_module(f"linear{i}", nn.Linear(in_dim, out_dim, bias=False))
            if i + 1 < len(sizes):
                self.add_module(f"bn{i}", nn.BatchNorm1d(out_dim, eps=1e-5, momentum=0.1))
            in_dim = out_dim

    def forward(self, x):
        for i in range(self.layers):
            x = getattr(self, f"linear{i}")(x)
            if i + 1 < self.layers:
                x = torch.relu(getattr(self, f"bn{i}")(x))
        return x


class Model(nn.Module):
    """src/model/mod.rs `Model`: encoder., head., and projector. unless `projector` is empty.

    Sizes default to the thesis's (`ModelConfig::default`); `interop/load_in_pytorch.py` passes
    a run's `[model]` sizes, and `projector=()` for a run without one (the supervised
    methodologies)."""

    def __init__(
        self,
        input_dims=INPUT_DIMS,
        hidden=HIDDEN,
        attention_dim=ATTENTION_DIM,
        fusion_hidden=FUSION_HIDDEN,
        dropout=DROPOUT,
        projector=PROJECTOR,
    ):
        super().__init__()
        self.encoder = Encoder(input_dims, hidden, attention_dim, fusion_hidden, dropout)
        self.head = nn.Linear(fusion_hidden, 1)  # src/model/head.rs
        self.projector = Projector(fusion_hidden, projector) if projector else None

    def forward(self, batch):
        """`Model::forward_t`: predictions [B]."""
        return self.head(self.encoder(batch)).squeeze(1)

    def embed(self, batch):
        """`Model::embed_t`: Barlow Twins embeddings [B, 1000]."""
        return self.projector(self.encoder(batch))


def parameter_counts(model):
    """Trainable parameters per module, cut like src/model/mod.rs `parameter_counts`."""
    counts = {}
    for name, p in model.named_parameters():
        parts = name.split(".")
        module = ".".join(parts[: min(max(len(parts) - 1, 1), 3)])
        counts[module] = counts.get(module, 0) + p.numel()
    return counts


# --- augmentation: src/augment/transformator.rs `views`, masking.rs `Masking::apply` ---------


def augment(batch, stream, generator):
    """One stream of the default chain (["masking"]) on a copy of `batch`."""
    view = batch.clone()
    real = view.mask > 0  # the first lengths[b] steps of each sample
    for x in view.modalities:  # one coin per modality, text, audio, visual
        if torch.rand((), generator=generator).item() < MASKING_P[stream]:
            drop = (torch.rand(real.shape, generator=generator) < MASKING_PERCENTAGE[stream]) & real
            x.masked_fill_(drop.unsqueeze(-1), 0.0)  # timestep mode: whole step vectors
    return view


def views(batch, generator):
    """Stream A's view, then stream B's, from one generator in that order."""
    return augment(batch, 0, generator), augment(batch, 1, generator)


# --- loss: src/loss/barlow_twins.rs ---------------------------------------------------------


def cross_correlation(z_a, z_b, eps):
    floor = eps * z_a.shape[0]

    def standardise(z):
        centred = z - z.mean(dim=0, keepdim=True)
        norm = (centred.square().sum(dim=0, keepdim=True) + floor).sqrt()
        return centred / norm

    return torch.matmul(standardise(z_a).t(), standardise(z_b))


def barlow_twins_loss_from_c(c, lam):
    eye = torch.eye(c.shape[0], dtype=c.dtype)
    invariance = ((eye - c) * eye).square().sum()
    redundancy = (c * (1.0 - eye)).square().sum()
    return invariance + redundancy * lam


def barlow_twins_terms(c, lam):
    """On-diagonal term, weighted off-diagonal term and mean diagonal of C, in f64."""
    c = c.double()
    diag = c.diagonal()
    off = c * (1.0 - torch.eye(c.shape[0], dtype=c.dtype))
    return (
        (1.0 - diag).square().sum().item(),
        lam * off.square().sum().item(),
        diag.mean().item(),
    )


def embedding_std(z):
    """Mean and min over dimensions of the unbiased per-dimension std over the batch, in f64."""
    stds = z.double().std(dim=0, correction=1)
    return stds.mean().item(), stds.min().item()


# --- the timed steps: src/train/supervised.rs, src/train/ssl.rs, src/cli/bench.rs -----------


def supervised_step(model, opt, batch):
    model.train()
    fused = model.encoder(batch)
    loss = (model.head(fused).squeeze(1) - batch.labels).abs().mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def ssl_step(model, opt, view_pair):
    model.train()
    view_a, view_b = view_pair
    z_a = model.embed(view_a)
    z_b = model.embed(view_b)
    c = cross_correlation(z_a, z_b, BT_EPS)
    value = barlow_twins_loss_from_c(c, BT_LAMBDA)
    opt.zero_grad(set_to_none=True)
    value.backward()
    opt.step()
    return value.item(), barlow_twins_terms(c.detach(), BT_LAMBDA), embedding_std(z_a.detach())


def inference(model, batch):
    model.eval()
    with torch.no_grad():
        return model(batch).tolist()


def random_batch(n, generator):
    """A full-length batch (bench.rs `full_length_batch`) of random normal inputs."""
    modalities = [torch.randn(n, STEPS, d, generator=generator) for d in INPUT_DIMS]
    mask = torch.ones(n, STEPS)
    lengths = torch.full((n,), STEPS, dtype=torch.long)
    labels = torch.randn(n, generator=generator)
    return Batch(modalities, mask, lengths, labels)


def measure(name, batch, warmup, repeats, f):
    """bench.rs `measure`: `warmup` untimed calls, then the sorted times of `repeats` calls."""
    for _ in range(warmup):
        f()
    ms = []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        f()
        ms.append((time.perf_counter() - start) * 1e3)
    ms.sort()
    median = ms[len(ms) // 2]
    return {
        "name": name,
        "batch": batch,
        "median_ms": median,
        "min_ms": ms[0],
        "samples_per_s": batch * 1e3 / median,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--repeats", type=int, default=10, help="timed repetitions (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed warm-up runs (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, inputs, dropout")
    parser.add_argument("--params", action="store_true", help="print per-module parameter counts to stderr")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = Model()
    counts = parameter_counts(model)
    total = sum(counts.values())
    if args.params:
        import sys

        for module, n in sorted(counts.items()):
            print(f"{module:<28} {n:>10,}", file=sys.stderr)
        print(f"{'total':<28} {total:>10,}", file=sys.stderr)

    data_gen = torch.Generator().manual_seed(args.seed)
    small = random_batch(SUPERVISED_BATCH, data_gen)
    large = random_batch(SSL_BATCH, data_gen)
    augment_gen = torch.Generator().manual_seed(args.seed + 0xBE)
    opt = torch.optim.Adam(model.parameters(), lr=SUPERVISED_LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    w, r = args.warmup, args.repeats

    timings = [
        measure("supervised step", SUPERVISED_BATCH, w, r, lambda: supervised_step(model, opt, small)),
        measure("ssl step (2 views)", SSL_BATCH, w, r, lambda: ssl_step(model, opt, views(large, augment_gen))),
        measure("inference", SUPERVISED_BATCH, w, r, lambda: inference(model, small)),
    ]
    out = {
        "device": "cpu",
        "threads": torch.get_num_threads(),
        "steps": STEPS,
        "dims": list(INPUT_DIMS),
        "repeats": r,
        "warmup": w,
        "timings": timings,
        "implementation": "pytorch",
        "torch": torch.__version__,
        "mkldnn": bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled),
        "parameters": total,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
