#!/usr/bin/env bash
# Times `chainfix lint` on a bundle of 1,000 certificates (1 root, 10
# intermediates, 989 leaves: every certificate checked, every
# issuer→subject pair's signature verified), beside `openssl verify` of the
# same 989 leaves against the same CAs (which checks each leaf's path, not
# the lints), and beside pkilint (PyPI: lint_pkix_cert + lint_cabf_serverauth_cert
# on each certificate, all in one Python process, tests/pkilint/batch.py).
# chainfix runs under --profile server, so the CA/B Forum rules run too.
# Prints the median of N runs of each (pkilint: one run, it takes seconds),
# per certificate, and the ratios.
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
lint=("$bin" lint "$w/bundle.pem" --profile server --roots "$w/root.pem" --at 2026-06-01 --json)
findings=$("${lint[@]}" | grep -c '"id"' || true)
a=$(timeit "${lint[@]}")
c=$(timeit "${lint[@]}" --certificate-only)
b=$(timeit sh -c "openssl verify -CAfile '$w/root.pem' -untrusted '$w/intermediates.pem' '$w'/leaves/*.pem")
# The intermediates one file each, so pkilint sees every certificate.
awk -v d="$w/inter" 'BEGIN{system("mkdir -p " d)} /BEGIN/{n++} {print > (d "/" n ".pem")}' "$w/intermediates.pem"
files=("$w/root.pem" "$w"/inter/*.pem "$w"/leaves/*.pem)
p=""
if python3 -c 'import pkilint' 2>/dev/null; then
  p=$(runs=1 timeit python3 tests/pkilint/batch.py "${files[@]}")
fi
per() { awk -v t="$1" -v n="$certs" 'BEGIN{printf "%.0f", t*1000/n}'; }
printf '%-56s %10s\n' "certificates in the bundle" "$certs"
printf '%-56s %10s\n' "findings reported" "$findings"
printf '%-56s %7s ms %7s µs/cert\n' "chainfix lint --profile server (every cert, every pair)" "$a" "$(per "$a")"
printf '%-56s %7s ms %7s µs/cert\n' "chainfix lint --certificate-only (every cert)" "$c" "$(per "$c")"
printf '%-56s %7s ms\n' "openssl verify of the same leaves (paths only)" "$b"
awk -v a="$a" -v b="$b" 'BEGIN{ if (b>0) printf "%-56s %9.2fx\n", "ratio chainfix / openssl", a/b }'
if [ -n "$p" ]; then
  printf '%-56s %7s ms %7s µs/cert\n' "pkilint pkix + cabf serverauth (one process)" "$p" "$(per "$p")"
  awk -v a="$a" -v p="$p" 'BEGIN{ if (a>0) printf "%-56s %9.1fx\n", "pkilint / chainfix lint", p/a }'
else
  echo "pkilint not installed (pip install pkilint): its column is left out"
fi
