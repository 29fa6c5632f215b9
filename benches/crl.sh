#!/usr/bin/env bash
# Benchmark for CRL checking (issue 13): `chainfix verify` with a ~10 MB CRL
# of ~250,000 entries beside `openssl verify -crl_check`, median of 5 runs,
# CPU time (user + sys; the machine is shared, wall time is noise):
#  1. the CRL as a local file (--crl), parsed on every run;
#  2. cold: fetched over HTTP on 127.0.0.1 from the leaf's
#     cRLDistributionPoints into an empty cache;
#  3. warm: the same, served from chainfix's CRL cache (kept until nextUpdate).
# Usage: benches/crl.sh [--release]   (default: the dev profile, deps at opt-level 1)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE_FLAG=""; BIN=$PWD/target/debug/chainfix
if [ "${1:-}" = "--release" ]; then PROFILE_FLAG="--release"; BIN=$PWD/target/release/chainfix; fi
N=${ENTRIES:-250000}
cargo build $PROFILE_FLAG -q --bin chainfix
work=$(mktemp -d)
srv=""
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT/ca.crl"

mkdir -p ca/newcerts
cat > ca.cnf <<EOF
[ ca ]
default_ca = d
[ d ]
dir = $work/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $work/root.pem
private_key = $work/root.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = p
[ p ]
commonName = supplied
[ leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$URL
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem \
  -subj "/CN=Bench CRL Root" -days 3650 -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
# N revoked serials written straight into the CA database, then one CRL.
python3 - "$N" > ca/index.txt <<'EOF'
import sys
n = int(sys.argv[1])
reasons = ["keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged"]
for i in range(n):
    print(f"R\t300101000000Z\t250101000000Z,{reasons[i % 4]}\t{0x100000 + i:X}\tunknown\t/CN=revoked {i}")
EOF
echo 1000 > ca/serial; echo 01 > ca/crlnumber
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=Bench Client" 2>/dev/null
openssl ca -batch -notext -config ca.cnf -extensions leaf -in leaf.csr -out leaf.pem 2>/dev/null
openssl ca -gencrl -config ca.cnf -out ca.crl.pem 2>/dev/null
openssl crl -in ca.crl.pem -outform DER -out ca.crl
size=$(stat -c %s ca.crl)
python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1 &
srv=$!
for _ in $(seq 50); do curl -sf -o /dev/null "$URL" && break; sleep 0.1; done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { /usr/bin/time -f '%U %S' -o "$work/t" "$@" >/dev/null 2>&1 || true; awk '{printf "%d\n", ($1 + $2) * 1000}' "$work/t"; }

"$BIN" verify leaf.pem --trust root.pem --crl ca.crl >/dev/null && echo "chainfix: VALID (not revoked)"
openssl verify -crl_check -CAfile root.pem -CRLfile ca.crl.pem leaf.pem >/dev/null && echo "openssl: OK"
file=$(for i in 1 2 3 4 5; do time_ms "$BIN" verify leaf.pem --trust root.pem --crl ca.crl; done | median)
cold=$(for i in 1 2 3 4 5; do rm -rf cache; time_ms "$BIN" verify leaf.pem --trust root.pem --revocation crl --cache-dir cache --max-crl-size 67108864; done | median)
"$BIN" verify leaf.pem --trust root.pem --revocation crl --cache-dir cache --max-crl-size 67108864 >/dev/null
warm=$(for i in 1 2 3 4 5; do time_ms "$BIN" verify leaf.pem --trust root.pem --revocation crl --cache-dir cache --offline; done | median)
peer=$(for i in 1 2 3 4 5; do time_ms openssl verify -crl_check -CAfile root.pem -CRLfile ca.crl.pem leaf.pem; done | median)
echo "== CRL of $N entries, $size bytes (CPU time, median of 5)"
echo "chainfix verify --crl FILE:        ${file} ms"
echo "chainfix verify, CRL fetched cold: ${cold} ms"
echo "chainfix verify, CRL cache warm:   ${warm} ms"
echo "openssl verify -crl_check:         ${peer} ms"
awk -v a="$file" -v b="$peer" 'BEGIN { if (b > 0) printf "ratio chainfix (file)/openssl: %.2f\n", a / b }'
