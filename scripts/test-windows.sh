#!/usr/bin/env bash
# Runs the Windows build under Wine on the « fonctionnement » example and checks that its PDF is
# byte for byte the Linux build's. Not part of the default CI run (it needs the cross-built
# binaries of scripts/dist.sh, which take a while to build).
#
# Needs (Debian/Ubuntu): apt-get install wine64 mingw-w64 poppler-utils (wine64 or wine)
# Usage: bash scripts/dist.sh && bash scripts/test-windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

linux=$(ls dist/cdm-render-*-linux-x86_64)
windows=$(ls dist/cdm-render-*-windows-x86_64.exe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng the Rust standard library calls for
# random numbers (hash maps). A stub that fills the buffer from the system's RtlGenRandom is
# enough for a test run; it is built here and never shipped.
cat > "$work/bcryptprimitives.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) { return SystemFunction036(data, (ULONG)len); }
C
x86_64-w64-mingw32-gcc -shared -o "$work/bcryptprimitives.dll" "$work/bcryptprimitives.c" -ladvapi32

cp -r data "$work/data"
cp "$windows" "$work/cdm-render.exe"
export WINEPREFIX="$work/wine" WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n"
"$linux" "$work/data/fonctionnement/dossier.toml" -o "$work/linux.pdf" -q
wine=$(command -v wine64 || command -v wine)
(cd "$work" && "$wine" cdm-render.exe 'data\fonctionnement\dossier.toml' -o windows.pdf -q) 2>&1 \
  | grep -v '^wine' || true
cmp "$work/linux.pdf" "$work/windows.pdf"
echo "OK : le PDF produit sous Windows (Wine) est identique octet pour octet à celui de Linux ($(stat -c %s "$work/linux.pdf") octets, $(pdfinfo "$work/linux.pdf" 2>/dev/null | awk '/^Pages/ {print $2}') pages)."
