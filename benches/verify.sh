#!/usr/bin/env bash
# Benchmarks for path validation (issue 4):
#  1. the whole x509-limbo suite in-process (cargo test --test it limbo);
#  2. `chainfix verify` vs `openssl verify -x509_strict` on a 3-certificate
#     chain plus a pool of 10,000 unrelated certificates, median of 5 runs;
#     prints both times and the ratio.
# Usage: benches/verify.sh [--release]   (default: the dev profile, deps at opt-level 1)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE_FLAG=""; BIN=target/debug/chainfix
if [ "${1:-}" = "--release" ]; then PROFILE_FLAG="--release"; BIN=target/release/chainfix; fi
N=${POOL:-10000}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

echo "== limbo (9,780 cases, in-process)"
cargo test $PROFILE_FLAG -q --test it limbo -- --nocapture 2>/dev/null | grep '^limbo:'

cargo build $PROFILE_FLAG -q --bin chainfix --example gen_pool
EX=$(dirname "$BIN")/examples/gen_pool
"$EX" "$N" "$work/pool.pem"

# root -> intermediate -> leaf (clientAuth), with openssl.
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem \
  -subj "/CN=Bench Root" -days 3650 -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -out int.csr -subj "/CN=Bench Intermediate" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > int.ext
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -out int.pem -days 3000 -extfile int.ext 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=bench.example.test" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:bench.example.test\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -out leaf.pem -days 700 -extfile leaf.ext 2>/dev/null
cat int.pem pool.pem > untrusted.pem
cd - >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# CPU time (user + sys) in ms: the CI machine is shared, wall time is noise.
time_ms() { /usr/bin/time -f '%U %S' -o "$work/t" "$@" >/dev/null 2>&1 || true; awk '{printf "%d\n", ($1 + $2) * 1000}' "$work/t"; }

ours=$(for i in 1 2 3 4 5; do time_ms "$BIN" verify "$work/leaf.pem" "$work/untrusted.pem" --trust "$work/root.pem" --role client; done | median)
peer=$(for i in 1 2 3 4 5; do time_ms openssl verify -x509_strict -purpose sslclient -CAfile "$work/root.pem" -untrusted "$work/untrusted.pem" "$work/leaf.pem"; done | median)
"$BIN" verify "$work/leaf.pem" "$work/untrusted.pem" --trust "$work/root.pem" --role client >/dev/null && echo "chainfix: VALID"
openssl verify -x509_strict -purpose sslclient -CAfile "$work/root.pem" -untrusted "$work/untrusted.pem" "$work/leaf.pem" >/dev/null && echo "openssl: OK"
echo "== chain + $N unrelated certificates (CPU time, median of 5)"
echo "chainfix verify: ${ours} ms"
echo "openssl verify:  ${peer} ms"
awk -v a="$ours" -v b="$peer" 'BEGIN { if (b > 0) printf "ratio chainfix/openssl: %.2f\n", a / b }'
