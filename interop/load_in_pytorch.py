"""Load a trained mmssl run into PyTorch and predict a split of a native data folder with it.

Usage:
    python interop/load_in_pytorch.py --run RUN --data DATA_DIR --split test --out preds.csv
    python interop/load_in_pytorch.py --run RUN --print-mapping   # the name table, nothing else

    RUN       a run folder written by `mmssl train` / `mmssl finetune` (`config.toml` and
              `model.safetensors`)
    DATA_DIR  a native data folder written by `mmssl data import` (`data.safetensors` and
              `meta.json`) with the run's feature dims
    --split   test (default), valid, train, or all (every non-empty split, train first)
    --out     the CSV to write, refused if it exists unless --force; `-` or left out: stdout

The CSV has `mmssl predict`'s columns, `index,id,split,label,prediction` (the index in the split's
storage order; the id from the folder's `ids.json`, or the index as text without it), and numbers written as mmssl writes them, so `mmssl metrics` reads it.
Needs Python >= 3.11 (tomllib), torch, numpy and safetensors.

What it does:
  * Builds the model with the classes of `bench/pytorch/m3_reference.py` (imported, not copied),
    at the `[model]` sizes of the run's `config.toml` (input_dims, hidden, attention_dim,
    fusion_hidden, dropout, projector), with the projector only when the methodology pre-trains
    (`ssl-finetune`, `ssl-linear`), as src/train/run.rs `build_model` does, and with the released
    code's 2044-wide first projector layer under `fidelity.projector_2044_first`.
  * Loads `model.safetensors` (candle VarMap names) through the explicit table `name_table`
    below: every checkpoint tensor must have a row, every row of the configured model must be in
    the checkpoint, every PyTorch parameter and buffer must be the target of a row (BatchNorm's
    `num_batches_tracked` excepted: candle has no such counter, and BatchNorm1d only reads it
    when momentum is None), and shapes must agree; anything else fails naming the tensors.
  * Reads the data as mmssl does (src/import/native.rs, src/train/run.rs `DataConfig::load`):
    non-finite values set to 0, then, unless `data.standardize = false` (or
    `fidelity.no_input_standardisation`), every feature standardised with the mean and population
    standard deviation of the real (unpadded) steps of DATA_DIR's train split, accumulated in
    f64, stored in f32, a deviation below 1e-6 replaced by 1, applied in f32 to real steps only
    (src/data/standardize.rs). As `mmssl predict --data DATA_DIR`, the statistics come from
    DATA_DIR's train split, not from the data the run was trained on.
  * Predicts in evaluation mode (dropout off) under torch.no_grad(), in batches of 256 samples in
    storage order, each cut to its longest real length, with the mask, key bias and last-real-step
    pooling of src/data/batch.rs and src/model/encoder.rs, as src/train/evaluate.rs `predict`.

Limits:
  * Inference only: the loaded model is not set up to be trained further as mmssl trains it
    (seeded dropout streams, augmentations and optimiser state are not carried over).
  * Native data folders only; the synthetic stand-in is generated in Rust and not read here.
    The data's identity checksum (meta.json `identity_sha256`) is not recomputed.
  * Results equal mmssl's to float32 rounding, not bit for bit (different LSTM and matmul
    kernels); tests/interop.rs checks agreement to 1e-5 on a small fixture.
  * f32 checkpoints of the model defined in bench/pytorch/m3_reference.py; a model changed in
    Rust needs the reference and the table below changed with it.
"""

import argparse
import json
import math
import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file

sys.dont_write_bytecode = True  # no __pycache__ left in bench/pytorch by the import below
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "pytorch"))
import m3_reference as m3  # noqa: E402  (the model classes; see its docstring)

# --- the run's config (src/train/config.rs `RunConfig`, src/model/config.rs `ModelConfig`) ---

# src/train/config.rs `Methodology::pretrains`: the methodologies whose model has a projector.
PRETRAINING_METHODOLOGIES = ("ssl-finetune", "ssl-linear")
# src/train/fidelity.rs `RELEASED_PROJECTOR_WIDTH` (switch `projector_2044_first`).
RELEASED_PROJECTOR_WIDTH = 2044
# src/train/evaluate.rs `EVAL_BATCH`.
EVAL_BATCH = 256
# src/data/standardize.rs `Standardizer::MIN_STD`.
MIN_STD = 1e-6
SPLITS = ("train", "valid", "test")
MODALITIES = ("text", "audio", "visual")


def read_config(run):
    """The model sizes and data settings of RUN/config.toml, with mmssl's defaults for omitted
    fields (its config structs are `#[serde(default)]`)."""
    path = Path(run) / "config.toml"
    with open(path, "rb") as f:
        cfg = tomllib.load(f)
    model = cfg.get("model", {})
    methodology = cfg.get("methodology", "supervised")
    fidelity = cfg.get("fidelity", "thesis-text")
    if isinstance(fidelity, str):
        if fidelity not in ("thesis-text", "released-code"):
            sys.exit(f'{path}: fidelity `{fidelity}`: expected "thesis-text" or "released-code"')
        released = fidelity == "released-code"
        switches = {"projector_2044_first": released, "no_input_standardisation": released}
    else:
        switches = fidelity
    projector = list(model.get("projector", m3.PROJECTOR))
    if switches.get("projector_2044_first", False):
        projector.insert(0, RELEASED_PROJECTOR_WIDTH)
    if methodology not in PRETRAINING_METHODOLOGIES:
        projector = []
    return {
        "path": path,
        "methodology": methodology,
        "input_dims": tuple(model.get("input_dims", m3.INPUT_DIMS)),
        "hidden": model.get("hidden", m3.HIDDEN),
        "attention_dim": model.get("attention_dim", m3.ATTENTION_DIM),
        "fusion_hidden": model.get("fusion_hidden", m3.FUSION_HIDDEN),
        "dropout": model.get("dropout", m3.DROPOUT),
        "projector": tuple(projector),
        "standardize": cfg.get("data", {}).get("standardize", True)
        and not switches.get("no_input_standardisation", False),
    }


def build_model(cfg):
    """`m3_reference.Model` at the run's sizes (random weights until `load_checkpoint`)."""
    return m3.Model(
        input_dims=cfg["input_dims"],
        hidden=cfg["hidden"],
        attention_dim=cfg["attention_dim"],
        fusion_hidden=cfg["fusion_hidden"],
        dropout=cfg["dropout"],
        projector=cfg["projector"],
    )


# --- the name table: mmssl (candle VarMap) name -> key of the PyTorch model's state_dict ---

# Per kind of module: mmssl's variable name -> PyTorch's, inside that module.
LSTM = {  # src/model/lstm.rs `Lstm` -> torch.nn.LSTM (one layer, one direction: suffix _l0)
    "weight_ih": "weight_ih_l0",
    "weight_hh": "weight_hh_l0",
    "bias_ih": "bias_ih_l0",
    "bias_hh": "bias_hh_l0",
}
ATTENTION = {  # src/model/attention.rs `Attention` -> m3_reference.Attention (bias-free Linears)
    "query.weight": "query.weight",
    "key.weight": "key.weight",
    "value.weight": "value.weight",
}
LINEAR_WITH_BIAS = {"weight": "weight", "bias": "bias"}  # head.rs -> nn.Linear(bias=True)
LINEAR = {"weight": "weight"}  # projector.rs linears -> nn.Linear(bias=False)
BATCH_NORM = {  # candle_nn::BatchNorm -> nn.BatchNorm1d (running statistics are buffers)
    "weight": "weight",
    "bias": "bias",
    "running_mean": "running_mean",
    "running_var": "running_var",
}
# PyTorch buffers with no mmssl counterpart, left at their initial value.
TORCH_ONLY_SUFFIXES = (".num_batches_tracked",)

# Every module of the encoder and head: (mmssl prefix, PyTorch prefix, kind).
MODULES = [
    ("encoder.text.lstm", "encoder.text.lstm", LSTM),
    ("encoder.text.attention", "encoder.text.attention", ATTENTION),
    ("encoder.audio.lstm", "encoder.audio.lstm", LSTM),
    ("encoder.audio.attention", "encoder.audio.attention", ATTENTION),
    ("encoder.visual.lstm", "encoder.visual.lstm", LSTM),
    ("encoder.visual.attention", "encoder.visual.attention", ATTENTION),
    ("encoder.cross.ta.kl", "encoder.cross.ta.kl", ATTENTION),
    ("encoder.cross.ta.lk", "encoder.cross.ta.lk", ATTENTION),
    ("encoder.cross.tv.kl", "encoder.cross.tv.kl", ATTENTION),
    ("encoder.cross.tv.lk", "encoder.cross.tv.lk", ATTENTION),
    ("encoder.cross.av.kl", "encoder.cross.av.kl", ATTENTION),
    ("encoder.cross.av.lk", "encoder.cross.av.lk", ATTENTION),
    ("encoder.cross.tav", "encoder.cross.tav", ATTENTION),
    ("encoder.fusion.lstm", "encoder.fusion.lstm", LSTM),
    ("head", "head", LINEAR_WITH_BIAS),
]


def projector_modules(layers):
    """src/model/projector.rs: `linear{i}` for every layer, `bn{i}` after all but the last."""
    modules = [(f"projector.linear{i}", f"projector.linear{i}", LINEAR) for i in range(layers)]
    modules += [(f"projector.bn{i}", f"projector.bn{i}", BATCH_NORM) for i in range(layers - 1)]
    return modules


def name_table(cfg):
    """[(mmssl name, PyTorch state_dict key)] of every tensor the run's model has."""
    modules = MODULES + projector_modules(len(cfg["projector"]))
    return [
        (f"{ours}.{name}", f"{theirs}.{key}")
        for ours, theirs, kind in modules
        for name, key in kind.items()
    ]


def load_checkpoint(model, cfg, run):
    """Copies RUN/model.safetensors into `model` through `name_table`, checking it both ways."""
    path = Path(run) / "model.safetensors"
    tensors = load_file(str(path))
    table = dict(name_table(cfg))
    state = model.state_dict()
    problems = []
    unmapped = sorted(set(tensors) - set(table))
    if unmapped:
        problems.append(f"tensors with no row in the name table: {', '.join(unmapped)}")
    missing = sorted(set(table) - set(tensors))
    if missing:
        problems.append(
            f"tensors the model of {cfg['path']} needs but the file lacks: {', '.join(missing)}"
        )
    targets = set(table.values())
    untargeted = sorted(
        k for k in state if k not in targets and not k.endswith(TORCH_ONLY_SUFFIXES)
    )
    if untargeted:
        problems.append(
            f"PyTorch keys no row fills (the table is out of date): {', '.join(untargeted)}"
        )
    for ours, theirs in table.items():
        if ours not in tensors or theirs not in state:
            continue
        got, want = tuple(tensors[ours].shape), tuple(state[theirs].shape)
        if got != want:
            problems.append(f"{ours}: shape {list(got)} in the file, {list(want)} for {theirs}")
        if tensors[ours].dtype != np.float32:
            problems.append(f"{ours}: dtype {tensors[ours].dtype}, expected float32")
    if problems:
        sys.exit(f"{path} does not fit the model of {cfg['path']}:\n  " + "\n  ".join(problems))
    for ours, theirs in table.items():
        state[theirs] = torch.from_numpy(tensors[ours].copy())
    model.load_state_dict(state, strict=True)


# --- the data: src/import/native.rs, src/data/standardize.rs ---


def load_native(data_dir):
    """{split: (modalities [N, steps, d] f32 x3, lengths [N] int64, labels [N] f32)} of a native
    folder; a split stored without samples has no tensors and loads empty."""
    data_dir = Path(data_dir)
    with open(data_dir / "meta.json") as f:
        meta = json.load(f)
    if meta.get("format_version") != 1:
        version = meta.get("format_version")
        sys.exit(f"{data_dir}: native format version {version}, this script reads 1")
    tensors = load_file(str(data_dir / "data.safetensors"))
    steps, dims = meta["steps"], meta["dims"]
    splits = {}
    for name in SPLITS:
        if f"{name}.lengths" in tensors:
            mods = [tensors[f"{name}.{m}"].astype(np.float32) for m in MODALITIES]
            lengths = tensors[f"{name}.lengths"].astype(np.int64)
            labels = tensors[f"{name}.labels"].astype(np.float32)
        else:
            mods = [np.zeros((0, steps, d), np.float32) for d in dims]
            lengths = np.zeros(0, np.int64)
            labels = np.zeros(0, np.float32)
        splits[name] = (mods, lengths, labels)
    return meta, splits


def load_ids(data_dir):
    """{split: [utterance id, ...]} from the folder's `ids.json`; {} for a folder without ids."""
    path = Path(data_dir) / "ids.json"
    if not path.exists():
        return {}
    with open(path) as f:
        return json.load(f)


def csv_field(text):
    """`text` as a CSV field, quoted as mmssl's CSV writer quotes (only when it must be)."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def real_steps(lengths, steps):
    """[N, steps] bool: True on the first lengths[i] steps of sample i."""
    return np.arange(steps)[None, :] < lengths[:, None]


def prepare(splits, standardize):
    """`DataConfig::load`: non-finite values -> 0 everywhere (padding included), then, if
    `standardize`, `Standardizer::fit` on train and `apply` to every split."""
    for mods, _, _ in splits.values():
        for i, x in enumerate(mods):
            mods[i] = np.where(np.isfinite(x), x, np.float32(0.0)).astype(np.float32)
    if not standardize:
        return
    train_mods, train_lengths, _ = splits["train"]
    stats = []
    for x in train_mods:
        rows = x[real_steps(train_lengths, x.shape[1])].astype(np.float64)  # [real steps, d]
        count = max(rows.shape[0], 1)
        mean = rows.sum(axis=0) / count
        std = np.sqrt(((rows - mean) ** 2).sum(axis=0) / count)
        std32 = np.where(std < MIN_STD, 1.0, std).astype(np.float32)
        stats.append((mean.astype(np.float32), std32))
    for mods, lengths, _ in splits.values():
        for i, (x, (mean, std)) in enumerate(zip(mods, stats)):
            real = real_steps(lengths, x.shape[1])[..., None]
            mods[i] = np.where(real, (x - mean) / std, x).astype(np.float32)


# --- prediction: src/train/evaluate.rs `predict`, src/data/batch.rs ---


def predict(model, mods, lengths):
    """Predictions [N] in evaluation mode, batches of EVAL_BATCH in storage order, each cut to
    its longest real length (`HostBatch::gather`) with its mask (`HostBatch::to_device`)."""
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(lengths), EVAL_BATCH):
            lens = lengths[start : start + EVAL_BATCH]
            steps = int(lens.max())
            if steps == 0:
                end = start + len(lens)
                sys.exit(f"samples {start}..{end}: all have 0 steps (mmssl fails on them too)")
            xs = [np.ascontiguousarray(x[start : start + EVAL_BATCH, :steps]) for x in mods]
            xs = [torch.from_numpy(x) for x in xs]
            mask = torch.from_numpy(real_steps(lens, steps).astype(np.float32))
            batch = m3.Batch(xs, mask, torch.from_numpy(lens), None)
            out.extend(model(batch).tolist())
    return out


def rust_f64(value):
    """`f64`'s Display in Rust: the shortest digits that read back, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return np.format_float_positional(value, unique=True, trim="-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--run", required=True, help="run folder (config.toml + model.safetensors)")
    parser.add_argument("--data", help="native data folder written by `mmssl data import`")
    parser.add_argument("--split", choices=("train", "valid", "test", "all"), default="test")
    parser.add_argument("--out", default="-", help="CSV file to write; `-` (default): stdout")
    parser.add_argument("--force", action="store_true", help="replace an existing --out file")
    parser.add_argument(
        "--print-mapping", action="store_true", help="print the name table and exit"
    )
    args = parser.parse_args()

    cfg = read_config(args.run)
    if args.print_mapping:
        for ours, theirs in name_table(cfg):
            print(f"{ours:<40} {theirs}")
        return
    if args.data is None:
        parser.error("--data is required (a native data folder written by `mmssl data import`)")
    if args.out != "-":
        if os.path.isdir(args.out):
            sys.exit(f"--out {args.out}: is a directory, expected a CSV file path")
        if os.path.exists(args.out) and not args.force:
            sys.exit(f"--out {args.out}: exists; pass --force to replace it")

    model = build_model(cfg)
    load_checkpoint(model, cfg, args.run)
    meta, splits = load_native(args.data)
    if tuple(meta["dims"]) != cfg["input_dims"]:
        sys.exit(
            f"--data {args.data}: feature dims {meta['dims']} (text, audio, visual), "
            f"but the run {args.run} was trained on {list(cfg['input_dims'])}"
        )
    prepare(splits, cfg["standardize"])

    chosen = SPLITS if args.split == "all" else (args.split,)
    ids = load_ids(args.data)
    lines = ["index,id,split,label,prediction"]
    for name in chosen:
        mods, lengths, labels = splits[name]
        if len(lengths) == 0:
            if args.split == "all":
                continue
            sys.exit(f"{meta['name']}: the {name} split is empty")
        predictions = predict(model, mods, lengths)
        for i, (label, prediction) in enumerate(zip(labels.tolist(), predictions)):
            uid = ids[name][i] if name in ids else str(i)
            lines.append(f"{i},{csv_field(uid)},{name},{rust_f64(label)},{rust_f64(prediction)}")
    text = "\n".join(lines) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", newline="") as f:
            f.write(text)
        print(f"wrote {len(lines) - 1} predictions to {args.out}")


if __name__ == "__main__":
    main()
