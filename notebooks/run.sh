#!/usr/bin/env bash
# Executes the evcxr notebooks headless, in place, and fails (exit 1) if any cell of any notebook
# fails. Usage, from anywhere:
#
#   notebooks/run.sh                      # every notebook, in file-name order
#   notebooks/run.sh 06_proposal.ipynb    # only these (names relative to notebooks/)
#
# On a fresh machine it installs what it needs: evcxr_jupyter (pinned, `cargo install --locked`,
# ~10–20 min once), a Python venv at notebooks/.venv with the pinned nbconvert / nbclient, and the
# evcxr Jupyter kernel spec. Environment:
#
#   MMSSL_EVCXR_CACHE  evcxr's persistent build folder (default notebooks/.evcxr; git-ignored).
#                      Keep it between runs (cache it in CI): a cold kernel compiles candle and the
#                      crate (minutes), a warm one reuses them (seconds).
#   MMSSL_PROFILE      chapter 8 profile of 08_results.ipynb (smoke | quick | full; default smoke).
#   MMSSL_JOBS         parallel runs in 08_results.ipynb (default 1).
#   MMSSL_DATA         a data directory from `mmssl data import` for 05_dataset.ipynb (default:
#                      the synthetic stand-in).
#   RAYON_NUM_THREADS  threads of the data generator and candle's CPU kernels (default: all cores).
#   NB_TIMEOUT         per-cell timeout in seconds (default 1800).
set -euo pipefail

EVCXR_VERSION=0.22.0
PY_PACKAGES=(nbconvert==7.17.2 nbclient==0.11.0 nbformat==5.11.1 jupyter_client==8.10.0 jupyter_core==5.9.1)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$here"

log() { printf '[notebooks] %s\n' "$*" >&2; }

# 1. evcxr_jupyter, pinned.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! cargo install --list 2>/dev/null | grep -q "^evcxr_jupyter v${EVCXR_VERSION}:"; then
    log "installing evcxr_jupyter ${EVCXR_VERSION} (cargo install --locked; takes a while once)"
    cargo install evcxr_jupyter --locked --version "${EVCXR_VERSION}"
fi

# 2. A venv with the pinned headless runner (no ipykernel, no Jupyter server).
venv="$here/.venv"
stamp="$venv/.mmssl-requirements"
if [[ ! -x "$venv/bin/jupyter-nbconvert" || "$(cat "$stamp" 2>/dev/null)" != "${PY_PACKAGES[*]}" ]]; then
    log "creating $venv with ${PY_PACKAGES[*]}"
    python3 -m venv "$venv" || {
        log "python3 -m venv failed: install Python 3 with venv support (Debian: apt-get install python3-venv)"
        exit 1
    }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
    printf '%s' "${PY_PACKAGES[*]}" > "$stamp"
fi

# 3. The evcxr kernel spec (user data dir, e.g. ~/.local/share/jupyter/kernels/rust).
if ! "$venv/bin/jupyter" kernelspec list 2>/dev/null | grep -qE '^\s*rust\s'; then
    log "registering the evcxr kernel"
    evcxr_jupyter --install >/dev/null
fi

# 4. evcxr's build folder, persistent, with release-speed dependencies. evcxr builds the
#    notebook's crate in EVCXR_TMPDIR itself; cargo reads .cargo/config.toml from the folders
#    above it, so this profile applies to every dependency (mmssl, candle, …) but to nothing
#    outside the cache. Without it evcxr's `:opt 2` keeps debug assertions and overflow checks
#    (about 2× slower training).
cache="${MMSSL_EVCXR_CACHE:-$here/.evcxr}"
mkdir -p "$cache/tmp" "$cache/.cargo"
cat > "$cache/.cargo/config.toml" <<'EOF'
# Written by notebooks/run.sh: release-speed dependencies for the evcxr notebook kernels.
[profile.dev.package."*"]
opt-level = 3
debug-assertions = false
overflow-checks = false
debug = false
EOF
export EVCXR_TMPDIR="$cache/tmp"
# evcxr finds the libraries it builds inside EVCXR_TMPDIR: a target folder set for the project's
# own builds (e.g. by CI) must not redirect them.
unset CARGO_TARGET_DIR

# evcxr links the notebook code against the toolchain's libstd-*.so through a relative rpath
# that is one folder off for the copy it loads; it only resolves by luck when the cache and the
# toolchain share no parent but `/` (e.g. a cache under $HOME with rustup in ~/.rustup fails
# with "dlopen failed"). Point the loader at the toolchain's libraries explicitly.
host="$(rustc -vV | sed -n 's/^host: //p')"
export LD_LIBRARY_PATH="$(rustc --print sysroot)/lib/rustlib/$host/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-$(nproc 2>/dev/null || echo 2)}"
export MMSSL_PROFILE="${MMSSL_PROFILE:-smoke}"
mkdir -p "$repo/figures"

# 5. Execute each notebook in a fresh kernel, with --allow-errors into a scratch folder, then
#    check the outputs: evcxr 0.22 reports only compile errors as Jupyter errors — a panic (a
#    failed assert!) or an error returned by `?` is printed to stderr and the cell counts as
#    successful. So any error output *or any stderr text* fails the notebook (the notebooks never
#    write to stderr on purpose), and the message reaches the log. A notebook is replaced only
#    when it passed.
if (($# > 0)); then
    notebooks=("$@")
else
    notebooks=(*.ipynb)
fi
timeout="${NB_TIMEOUT:-1800}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
total_start=$SECONDS
for nb in "${notebooks[@]}"; do
    nb="${nb#notebooks/}"
    [[ -f "$nb" ]] || { log "no such notebook: $nb"; failed+=("$nb"); continue; }
    log "executing $nb (profile $MMSSL_PROFILE, EVCXR_TMPDIR $EVCXR_TMPDIR)"
    start=$SECONDS
    status=ok
    if ! "$venv/bin/jupyter" nbconvert --to notebook --execute --allow-errors \
        --ExecutePreprocessor.timeout="$timeout" \
        --ExecutePreprocessor.kernel_name=rust \
        --ExecutePreprocessor.record_timing=False \
        --output-dir "$scratch" "$nb"; then
        status=FAILED
    elif ! "$venv/bin/python" - "$scratch/$nb" <<'PY'
import re, sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
ansi = re.compile(r"\x1b\[[0-9;]*m")
failures = 0
for i, cell in enumerate(nb.cells):
    outputs = cell.get("outputs", [])
    errors = [o for o in outputs if o.get("output_type") == "error"]
    stderr = "".join(o.get("text", "") for o in outputs
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    if errors or stderr.strip():
        failures += 1
        first = cell.source.splitlines()[0] if cell.source else ""
        print(f"--- cell {i} failed: {first}", file=sys.stderr)
        for o in errors:
            print(ansi.sub("", "\n".join(o.get("traceback", [])) or o.get("evalue", "")), file=sys.stderr)
        if stderr.strip():
            print(ansi.sub("", stderr.strip()[:4000]), file=sys.stderr)
sys.exit(1 if failures else 0)
PY
    then
        status=FAILED
    else
        mv "$scratch/$nb" "$nb"
    fi
    log "$(printf '%-28s %5d s  %s' "$nb" $((SECONDS - start)) "$status")"
    [[ "$status" == ok ]] || failed+=("$nb")
done
log "$(printf '%-28s %5d s' total $((SECONDS - total_start)))"
if ((${#failed[@]} > 0)); then
    log "failed (left unchanged): ${failed[*]}"
    exit 1
fi
