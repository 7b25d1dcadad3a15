#!/usr/bin/env bash
# Makes Tailor's Debian package with cargo-deb: the binary in /usr/bin, the desktop entry, the
# icon (PNG and SVG) and the bundled sample database (/usr/share/tailor/demo.sqlite), as listed
# in Cargo.toml's [package.metadata.deb]. Installs cargo-deb when `cargo deb` is missing.
# The last line printed (on stdout) is the path of the .deb it made.
#
#   scripts/package-deb.sh                builds in release, then writes target/debian/tailor_*.deb
#   scripts/package-deb.sh --no-build     packages the binary already in $CARGO_TARGET_DIR/release
#                                         (or target/release); TAILOR_DEB_NO_BUILD=1 does the same
#   scripts/package-deb.sh --output PATH  writes the .deb to PATH (a file or an existing folder);
#                                         TAILOR_DEB_OUTPUT=PATH does the same
# Other arguments go to `cargo deb` (for example --fast: quicker, larger compression).
# Nothing is written outside the target folder and the output path.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "error: cargo not found: install Rust with rustup (https://rustup.rs); rust-toolchain.toml pins the version" >&2
  exit 2
fi

args=(--locked)
case "${TAILOR_DEB_NO_BUILD:-}" in
  "" | 0 | false) ;;
  *) args+=(--no-build) ;;
esac
[ -z "${TAILOR_DEB_OUTPUT:-}" ] || args+=(--output "$TAILOR_DEB_OUTPUT")
args+=("$@")

# cargo-deb is a tool, not a dependency. Exit status 3 says it is missing and could not be
# installed (no network, for example), so a caller can tell that apart from a packaging failure.
if ! cargo deb --version >&2; then
  echo "installing cargo-deb (cargo install cargo-deb --version ^3.8 --locked)" >&2
  # Its own build folder, not this project's target folder.
  if ! env -u CARGO_TARGET_DIR cargo install cargo-deb --version '^3.8' --locked --quiet >&2; then
    echo "error: cargo-deb is missing and could not be installed: cargo install cargo-deb --version ^3.8 --locked" >&2
    exit 3
  fi
fi

# cargo deb prints the path of the package it made as its last line on stdout; its warnings and
# progress go to stderr.
out=$(cargo deb "${args[@]}")
deb=$(printf '%s\n' "$out" | tail -n 1)
if [ ! -f "$deb" ]; then
  echo "error: cargo deb did not name the package it made (it printed: $out)" >&2
  exit 1
fi
echo "$deb"
