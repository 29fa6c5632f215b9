#!/usr/bin/env bash
# Times leaf-only chain completion over AIA against a local HTTP server
# (python3 -m http.server on 127.0.0.1; nothing leaves the machine):
#   chainfix bundle leaf.pem --no-key   cold (empty cache) and warm (cached)
#   cfssl bundle -cert leaf.pem -ca-bundle root.pem   (no cache: always cold)
# The PKI (root → policy CA → issuing CA → leaf, ECDSA P-256) is made by
# examples/aia_fixture.rs; each certificate's caIssuers URL points at the
# server, so both tools fetch two intermediates (chainfix also fetches the
# root, to prove the chain reaches one).
# Prints the median of N runs and the ratios.
# Usage: benches/aia.sh [RUNS]   (from the repository root)
set -euo pipefail
runs=${1:-11}
cd "$(dirname "$0")/.."
if ! command -v cfssl >/dev/null; then
  echo "installing cfssl (Debian package golang-cfssl)..." >&2
  (apt-get update -qq && apt-get install -y -qq golang-cfssl) >/dev/null || {
    echo "cannot install golang-cfssl; run: apt-get install golang-cfssl" >&2; exit 2; }
fi
cargo build --release -q --bin chainfix --example aia_fixture
bin=${BENCH_BIN:-$PWD/target/release/chainfix}  # BENCH_BIN: compare another build
w=$(mktemp -d)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
target/release/examples/aia_fixture "$port" "$w"
(cd "$w/www" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$w"' EXIT
for _ in $(seq 50); do
  python3 -c "import socket;socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
  sleep 0.1
done
cd "$w"

# Sanity: both complete the chain.
"$bin" bundle leaf.pem --no-key -o check.pem --no-cache -q 2>/dev/null
test "$(grep -c BEGIN check.pem)" = 3 || { echo "chainfix did not complete the chain" >&2; exit 1; }
cfssl bundle -cert leaf.pem -ca-bundle root.pem 2>/dev/null | grep -q '"bundle"' \
  || { echo "cfssl did not complete the chain" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
cold() { for i in $(seq "$runs"); do rm -rf cache; ms "$bin" bundle leaf.pem --no-key -o out.pem --force --cache-dir cache; done | median; }
warm() { "$bin" bundle leaf.pem --no-key -o out.pem --force --cache-dir cache >/dev/null 2>&1
         for i in $(seq "$runs"); do ms "$bin" bundle leaf.pem --no-key -o out.pem --force --cache-dir cache; done | median; }
offline() { for i in $(seq "$runs"); do ms "$bin" bundle leaf.pem --no-key -o out.pem --force --cache-dir cache --offline; done | median; }
floor() { cp www/issuing.crt www/policy.crt .; for i in $(seq "$runs"); do ms "$bin" bundle leaf.pem issuing.crt policy.crt root.pem --no-key -o out.pem --force --no-cache; done | median; }
peer() { for i in $(seq "$runs"); do ms cfssl bundle -cert leaf.pem -ca-bundle root.pem; done | median; }

c=$(cold); wm=$(warm); o=$(offline); f=$(floor); p=$(peer)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.2fx", a/b }'; }
printf '%-46s %10s\n' "case (median of $runs runs)" "µs"
printf '%-46s %10s\n' "chainfix cold (empty cache, 3 fetches)" "$c"
printf '%-46s %10s\n' "chainfix warm (cache, 0 fetches)" "$wm"
printf '%-46s %10s\n' "chainfix warm --offline" "$o"
printf '%-46s %10s\n' "chainfix, chain given (no fetch; write floor)" "$f"
printf '%-46s %10s\n' "cfssl bundle (2 fetches, no cache)" "$p"
echo "ratio chainfix cold / cfssl: $(ratio "$c" "$p")"
echo "ratio chainfix warm / cfssl: $(ratio "$wm" "$p")"
