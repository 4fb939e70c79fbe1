#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node (the `node` backend) against a libtensorflow found on this machine, for
# machines where its install step cannot download one (no network but the package registries).
#   npm run build:tfjs-node                         # libtensorflow from TensorFlow's CPU wheel, via pip
#   LIBTENSORFLOW_DIR=/opt/libtensorflow npm run build:tfjs-node   # or an unpacked libtensorflow
# LIBTENSORFLOW_DIR is libtensorflow's own layout (lib/libtensorflow*.so*, include/tensorflow/c/);
# TENSORFLOW_WHEEL names a wheel file; otherwise pip fetches `tensorflow-cpu` from the indexes it is
# configured with (a local mirror works). The wheel's libtensorflow_cc exports the C API tfjs-node's
# binding calls (tfjs-node 4.22 was made for libtensorflow 2.9.1; the C API it uses is stable).
# The libraries go under node_modules only; nothing here is committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { echo "build:tfjs-node: $*" >&2; }
version=$(node -p "require('./package-lock.json').packages['node_modules/@tensorflow/tfjs-node'].version")
pkg=node_modules/@tensorflow/tfjs-node
# npm removes the optional package when its install step fails (it could not download): put the
# locked version back without running that step.
if [ ! -f "$pkg/package.json" ]; then
  say "installing @tensorflow/tfjs-node@$version without its download step"
  npm install --no-save --ignore-scripts --no-audit --no-fund "@tensorflow/tfjs-node@$version" >&2
fi
deps="$pkg/deps"
# Find the library before touching the package: a bad setting leaves an earlier build as it was.
if [ -n "${LIBTENSORFLOW_DIR:-}" ]; then
  [ -d "$LIBTENSORFLOW_DIR/include/tensorflow/c" ] || { say "LIBTENSORFLOW_DIR=$LIBTENSORFLOW_DIR has no include/tensorflow/c"; exit 2; }
  lib=$(ls "$LIBTENSORFLOW_DIR"/lib/libtensorflow.so.2* "$LIBTENSORFLOW_DIR"/lib/libtensorflow_cc.so.2* 2>/dev/null | head -1 || true)
  fw=$(ls "$LIBTENSORFLOW_DIR"/lib/libtensorflow_framework.so.2* 2>/dev/null | head -1 || true)
  [ -n "$lib" ] && [ -n "$fw" ] || { say "LIBTENSORFLOW_DIR=$LIBTENSORFLOW_DIR has no lib/libtensorflow.so.2* and lib/libtensorflow_framework.so.2*"; exit 2; }
  rm -rf "$deps" "$pkg/lib"
  mkdir -p "$deps/lib" "$deps/include"
  cp -a "$LIBTENSORFLOW_DIR"/lib/. "$deps/lib/"
  cp -a "$LIBTENSORFLOW_DIR"/include/. "$deps/include/"
  lib=$(basename "$lib")
  fw=$(basename "$fw")
else
  wheel=${TENSORFLOW_WHEEL:-}
  if [ -z "$wheel" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    say "asking pip for tensorflow-cpu (set LIBTENSORFLOW_DIR or TENSORFLOW_WHEEL to skip this)"
    python3 -m pip download --quiet --retries 0 --no-deps --only-binary=:all: --dest "$tmp" tensorflow-cpu >&2 ||
      { say "pip could not fetch tensorflow-cpu: set LIBTENSORFLOW_DIR to an unpacked libtensorflow"; exit 1; }
    wheel=$(ls "$tmp"/tensorflow_cpu-*.whl)
  fi
  [ -f "$wheel" ] || { say "TENSORFLOW_WHEEL=$wheel is not a file"; exit 2; }
  say "taking libtensorflow from $(basename "$wheel")"
  rm -rf "$deps" "$pkg/lib"
  mkdir -p "$deps/lib" "$deps/include"
  # The two shared libraries and the headers the binding includes (the C API and what it pulls in).
  python3 - "$wheel" "$deps" <<'PY'
import sys, zipfile, os, shutil
wheel, deps = sys.argv[1], sys.argv[2]
keep = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/', 'tensorflow/include/tsl/', 'tensorflow/include/xla/tsl/')
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith('/'):
            continue
        if name in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'):
            target = os.path.join(deps, 'lib', os.path.basename(name))
        elif name.startswith(keep) and name.endswith('.h'):
            target = os.path.join(deps, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
  lib=libtensorflow_cc.so.2
  fw=libtensorflow_framework.so.2
fi
# The names the binding links and the install step looks for (tfjs-node's deps-constants.js); the
# binding finds the libraries at run time through its rpath, $ORIGIN/../../deps/lib.
(
  cd "$deps/lib"
  for name in libtensorflow.so libtensorflow.so.2 libtensorflow.so.2.9.1; do [ -e "$name" ] || ln -s "$lib" "$name"; done
  for name in libtensorflow_framework.so libtensorflow_framework.so.2 libtensorflow_framework.so.2.9.1; do [ -e "$name" ] || ln -s "$fw" "$name"; done
)
say "building the binding (node-gyp)"
# Its prebuilt-binary download fails fast here and it builds from source; the install step is
# approved in package.json's allowScripts.
npm rebuild @tensorflow/tfjs-node >&2
# Loaded once, as crossab loads it (quiet: see quietTensorFlow in src/tf/backend.ts), to say it works.
TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} TF_ENABLE_ONEDNN_OPTS=${TF_ENABLE_ONEDNN_OPTS:-0} node -e "require('@tensorflow/tfjs-node'); const tf = require('@tensorflow/tfjs'); tf.setBackend('tensorflow').then((ok) => { if (!ok) process.exit(1); console.log('build:tfjs-node: the node backend loads (' + tf.getBackend() + ')'); })"
