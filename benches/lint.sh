#!/usr/bin/env bash
# Times `chainfix lint` on a bundle of 1,000 certificates (1 root, 10
# intermediates, 989 leaves: every certificate checked, every
# issuer→subject pair's signature verified), beside `openssl verify` of the
# same 989 leaves against the same CAs (which checks each leaf's path, not
# the lints). Prints the median of N runs of each and the ratio.
# Usage: benches/lint.sh [RUNS] [N]   (from the repository root)
set -euo pipefail
runs=${1:-5}
n=${2:-1000}
cd "$(dirname "$0")/.."
cargo build --release -q --bin chainfix --example make_lint_bundle
bin=target/release/chainfix
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
target/release/examples/make_lint_bundle "$n" "$w"

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
timeit() { # the median wall time in milliseconds of "$@"
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median
}
certs=$(grep -c BEGIN "$w/bundle.pem")
findings=$("$bin" lint "$w/bundle.pem" --profile client --roots "$w/root.pem" --at 2026-06-01 --json | grep -c '"id"' || true)
a=$(timeit "$bin" lint "$w/bundle.pem" --profile client --roots "$w/root.pem" --at 2026-06-01 --json)
b=$(timeit sh -c "openssl verify -CAfile '$w/root.pem' -untrusted '$w/intermediates.pem' '$w'/leaves/*.pem")
printf '%-52s %10s\n' "certificates in the bundle" "$certs"
printf '%-52s %10s\n' "findings reported" "$findings"
printf '%-52s %7s ms\n' "chainfix lint (every cert, every pair)" "$a"
printf '%-52s %7s ms\n' "openssl verify of the same leaves (paths only)" "$b"
awk -v a="$a" -v b="$b" 'BEGIN{ if (b>0) printf "%-52s %9.2fx\n", "ratio chainfix / openssl", a/b }'
