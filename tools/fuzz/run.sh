#!/bin/sh
# Builds the trace reader with libFuzzer + AddressSanitizer and fuzzes it for FUZZ_SECONDS (default 120).
# Needs a Swift toolchain whose compiler supports -sanitize=fuzzer (Linux toolchains from swift.org do); if the
# build fails the script says so and exits 0, so `make fuzz` still reports the XCTest campaign.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
swiftc=$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)
[ -x "$swiftc" ] || swiftc=/opt/swift/usr/bin/swiftc
out=${FUZZ_OUT:-$root/.build-fuzz}
seconds=${FUZZ_SECONDS:-120}
mkdir -p "$out/corpus" "$out/artifacts"

zip_src=$(ls -d "$root"/.build*/checkouts/ZIPFoundation/Sources/ZIPFoundation 2>/dev/null | head -n 1)
if [ -z "$zip_src" ]; then
  (cd "$root" && swift package resolve >/dev/null 2>&1)
  zip_src=$(ls -d "$root"/.build*/checkouts/ZIPFoundation/Sources/ZIPFoundation 2>/dev/null | head -n 1)
fi
[ -n "$zip_src" ] || { echo "fuzz: ZIPFoundation sources not found (run swift package resolve)"; exit 1; }

flags="-sanitize=fuzzer,address -parse-as-library -O -g"
build() {
  "$swiftc" $flags -Xcc -D_GNU_SOURCE=1 -swift-version 5 -I "$zip_src/../CZLib" -wmo -module-name ZIPFoundation -emit-module -emit-module-path "$out/ZIPFoundation.swiftmodule" \
    -c "$zip_src"/*.swift -o "$out/ZIPFoundation.o" &&
  "$swiftc" $flags -wmo -module-name Trace -I "$out" -I "$zip_src/../CZLib" -emit-module -emit-module-path "$out/Trace.swiftmodule" \
    -c "$root"/Sources/Trace/*.swift -o "$out/Trace.o" &&
  "$swiftc" $flags -I "$out" -I "$zip_src/../CZLib" "$here/TraceFuzzTarget.swift" "$out/Trace.o" "$out/ZIPFoundation.o" -lz \
    -o "$out/trace-fuzzer"
}
if ! build > "$out/build.log" 2>&1; then
  echo "fuzz: libFuzzer build failed with $swiftc (see $out/build.log); skipping the libFuzzer run"
  tail -n 5 "$out/build.log"
  exit 0
fi
# Seeds: small valid traces (python3 + numpy when present) and the committed fixtures' first bytes are not needed.
if command -v python3 >/dev/null 2>&1; then
  python3 "$here/seeds.py" "$out/corpus" 2>/dev/null || echo "fuzz: no numpy seeds (python3 numpy missing)"
fi
echo "fuzz: running $out/trace-fuzzer for ${seconds}s"
"$out/trace-fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/artifacts/" "$out/corpus" 2>&1 | tail -n 12
