#!/usr/bin/env bash
# Reading big PEM files (issue 16), chainfix beside the peer that reads the
# same file, CPU time (user+sys) and peak RSS from /usr/bin/time -v:
#   chainfix: `verify LEAF POOL --trust ROOT`: reads, scans and indexes the
#             pool (and finds the 2-certificate chain in it);
#   peer:     `openssl crl2pkcs7 -nocrl -certfile POOL | openssl pkcs7
#             -print_certs -noout`: reads and parses every certificate;
# and the same for one certificate repeated as often (the reading alone:
# chainfix's inventory then holds one certificate).
# The pool is 100,000 unrelated certificates in one file (55 MB); with
# BIG=1 also 1,000,000 (550 MB, over the 64 MiB input cap, so run with
# CHAINFIX_MAX_INPUT_MIB=1024; it needs about 1.2 GB of disk in $TMPDIR).
# Usage: benches/pem.sh [RUNS] (median of RUNS, default 3); POOL=N changes
# the 100,000; BENCH_BIN=PATH measures another chainfix build.
set -euo pipefail
runs=${1:-3}
n=${POOL:-100000}
cd "$(dirname "$0")/.."
cargo build --release -q --bin chainfix --example make_pool
bin=${BENCH_BIN:-$PWD/target/release/chainfix}
gen=$PWD/target/release/examples/make_pool
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
at=2027-01-01

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$w/root.key" \
  -out "$w/root.pem" -subj "/CN=Pem Bench Root" -days 3650 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$w/leaf.key" \
  -subj "/CN=pem.example.test" 2>/dev/null |
  openssl x509 -req -CA "$w/root.pem" -CAkey "$w/root.key" -days 700 -out "$w/leaf.pem" 2>/dev/null

. benches/measure.sh
row() { printf '%-40s %18s %18s %8s\n' "$1" "$2" "$3" "$(ratio "$4" "$5")"; }

pool() { # pool N: one file of N strangers, MB printed
  "$gen" "$1" "$w/pool.pem"
  cat "$w/root.pem" >>"$w/pool.pem"
  echo "$(( $(stat -c %s "$w/pool.pem") / 1000000 )) MB"
}
measure() { # measure N
  local size
  size=$(pool "$1")
  echo "== $1 certificates in one file ($size; CPU ms and peak RSS MiB, median of $runs)"
  printf '%-40s %18s %18s %8s\n' "case" "chainfix" "openssl" "CPU ratio"
  read -r oc orss < <(big sh -c "openssl crl2pkcs7 -nocrl -certfile '$w/pool.pem' | openssl pkcs7 -print_certs -noout")
  read -r vc vrss < <(big "$bin" verify "$w/leaf.pem" "$w/pool.pem" --trust "$w/root.pem" --at $at)
  row "verify LEAF POOL vs crl2pkcs7|pkcs7" "$vc ms $vrss MiB" "$oc ms $orss MiB" "$vc" "$oc"
  # Sanity: the chain is found (a benchmark of a failure is no benchmark).
  "$bin" verify "$w/leaf.pem" "$w/pool.pem" --trust "$w/root.pem" --at $at >/dev/null &&
    echo "chainfix verify: VALID"
}
# The reading alone: the leaf N times in one file, so that the inventory
# holds one certificate and the rest are duplicates.
same() { # same N
  python3 -c 'import sys; t = open(sys.argv[1]).read(); open(sys.argv[2], "w").write(t * int(sys.argv[3]))' \
    "$w/leaf.pem" "$w/same.pem" "$1"
  echo "== the leaf $1 times in one file ($(( $(stat -c %s "$w/same.pem") / 1000000 )) MB)"
  read -r oc orss < <(big sh -c "openssl crl2pkcs7 -nocrl -certfile '$w/same.pem' | openssl pkcs7 -print_certs -noout")
  read -r vc vrss < <(big "$bin" verify "$w/same.pem" --trust "$w/root.pem" --at $at)
  row "verify SAME vs crl2pkcs7|pkcs7" "$vc ms $vrss MiB" "$oc ms $orss MiB" "$vc" "$oc"
  "$bin" verify "$w/same.pem" --trust "$w/root.pem" --at $at >/dev/null && echo "chainfix verify: VALID"
}
measure "$n"
same "$n"
if [ "${BIG:-0}" = 1 ]; then
  export CHAINFIX_MAX_INPUT_MIB=${CHAINFIX_MAX_INPUT_MIB:-1024}
  measure 1000000
fi
