#!/usr/bin/env bash
# Times `chainfix bundle` against `openssl verify` on the same files:
#   1. the bundled example (testdata/examples/salesforce-client);
#   2. the same chain inside a pool of 10,000 unrelated certificates.
# Prints each median of N runs and the ratio chainfix / openssl.
# Usage: benches/bundle.sh [RUNS]   (from the repository root)
set -euo pipefail
runs=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release -q --bin chainfix --example make_pool
bin=target/release/chainfix
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
ex=testdata/examples/salesforce-client
target/release/examples/make_pool 10000 "$w/pool.pem"
# openssl needs the intermediates as -untrusted and the leaf apart.
awk '/BEGIN/{p=1} p{print} /END/{p=0}' "$ex/ca-bundle.txt" | sed 's/^> //' > "$w/cas.pem"
sed 's/^> //' "$ex/ca-bundle.txt" > "$w/ca-bundle.pem"
cat "$w/pool.pem" "$w/cas.pem" > "$w/pool+chain.pem"

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
timeit() { # prints the median wall time in milliseconds of "$@"
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median
}
row() { printf '%-44s %10s ms %10s ms %8s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }')"; }
printf '%-44s %13s %13s %8s\n' "case" "chainfix" "openssl" "ratio"
a=$(timeit "$bin" bundle "$ex" -o "$w/out1.pem" --force)
b=$(timeit openssl verify -CAfile testdata/examples/root-ca.pem -untrusted "$w/cas.pem" "$ex/client.crt")
row "bundled example (4 certs + key)" "$a" "$b"
a=$(timeit "$bin" bundle "$w/pool+chain.pem" "$ex/client.crt" "$ex/client.key" -o "$w/out2.pem" --force)
b=$(timeit openssl verify -CAfile testdata/examples/root-ca.pem -untrusted "$w/pool+chain.pem" "$ex/client.crt")
row "chain + 10,000 unrelated certificates" "$a" "$b"
a=$(timeit "$bin" inspect "$w/pool.pem" --json)
row "inspect 10,000 certificates (--json)" "$a" "-"
