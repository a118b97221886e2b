#!/usr/bin/env bash
# Builds the binaries users download: a static Linux x86_64 binary (musl) and a Windows x86_64
# executable (cross-compiled with mingw-w64), stripped, with their SHA-256 sums, into dist/.
#
# Needs (Debian/Ubuntu): apt-get install musl-tools mingw-w64
#                        rustup target add x86_64-unknown-linux-musl x86_64-pc-windows-gnu
# Usage: bash scripts/dist.sh        (about 20 minutes on 2 cores the first time)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
mkdir -p dist
rm -f dist/*

build() {
  local target=$1 exe=$2 name=$3
  echo "== $target"
  cargo build --profile dist --locked --target "$target"
  cp "target/$target/dist/$exe" "dist/$name"
}

# C code of dependencies (if any) is compiled with musl's own compiler wrapper.
CC_x86_64_unknown_linux_musl=musl-gcc \
  build x86_64-unknown-linux-musl cdm-render "cdm-render-$version-linux-x86_64"
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
  build x86_64-pc-windows-gnu cdm-render.exe "cdm-render-$version-windows-x86_64.exe"

(cd dist && sha256sum cdm-render-* > SHA256SUMS)
ls -l dist
cat dist/SHA256SUMS
