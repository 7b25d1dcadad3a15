#!/usr/bin/env bash
# Runs Tailor's whole test suite on a fresh Debian machine: installs the packages the headless
# UI tests need when they are missing (a software Vulkan driver for egui_kittest's renderer,
# Chromium for the report test)
# and cargo-deb for the package test, then runs every test in release (model and UI tests are
# too slow in debug builds).
# Extra arguments go to `cargo test` (for example a test name).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "error: cargo not found: install Rust with rustup (https://rustup.rs); rust-toolchain.toml pins the version" >&2
  exit 2
fi

need=()
for pkg in mesa-vulkan-drivers libvulkan1 chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]} for the headless UI tests" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The package test (tests/package_deb.rs) runs cargo-deb, a tool rather than a dependency;
# scripts/package-deb.sh would install it too, but here it is done once, before the tests start.
if ! cargo deb --version >&2; then
  echo "installing cargo-deb for the package test" >&2
  env -u CARGO_TARGET_DIR cargo install cargo-deb --version '^3.8' --locked --quiet
fi

exec cargo test --release --locked "$@"
