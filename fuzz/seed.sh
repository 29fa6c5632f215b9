#!/usr/bin/env bash
# Regenerates the seed corpus (fuzz/corpus/TARGET/) from testdata/ with
# openssl (and keytool for JKS). Passwords are "fuzzing", as in src/lib.rs.
# Key-derivation counts are kept small so that every decryption path is
# reachable within the targets' key-derivation bound.
set -euo pipefail
cd "$(dirname "$0")"
ex=../testdata/examples/salesforce-client
c=corpus
rm -rf "$c"
mkdir -p "$c"/{pem_scan,der_cert,pkcs7,pkcs12,jks,keys,chain}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pw=fuzzing

# PEM: the example files as users paste them.
cp "$ex/ca-bundle.txt" "$c/pem_scan/ca-bundle.txt"
cp "$ex/client.crt" "$c/pem_scan/client.crt"
cp ../testdata/examples/root-ca.pem "$c/pem_scan/root-ca.pem"
cat "$ex/client.key" "$ex/client.crt" "$ex/ca-bundle.txt" > "$c/pem_scan/everything.pem"

# Every certificate of the example, in DER.
awk '/-----BEGIN CERTIFICATE-----/{n++} n{print > "'"$t"'/cert" n ".pem"} /-----END CERTIFICATE-----/{n=n}' \
  "$ex/client.crt" "$ex/ca-bundle.txt"
i=0
for f in "$t"/cert*.pem; do
  i=$((i + 1))
  openssl x509 -in "$f" -outform DER -out "$c/der_cert/cert$i.der" 2>/dev/null || true
done

# PKCS#7, DER and PEM.
openssl crl2pkcs7 -nocrl -certfile "$ex/client.crt" -certfile "$ex/ca-bundle.txt" -outform DER -out "$c/pkcs7/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile "$ex/client.crt" -outform PEM -out "$c/pkcs7/leaf.p7b.pem"

# PKCS#12: OpenSSL 3's default (PBES2) and -legacy, few iterations.
openssl pkcs12 -export -in "$ex/client.crt" -certfile "$ex/ca-bundle.txt" -inkey "$ex/client.key" \
  -passout pass:$pw -iter 100 -out "$c/pkcs12/modern.p12"
openssl pkcs12 -export -legacy -in "$ex/client.crt" -inkey "$ex/client.key" \
  -passout pass:$pw -iter 100 -out "$c/pkcs12/legacy.p12" 2>/dev/null \
  || echo "seed: no -legacy provider, legacy.p12 skipped"
openssl pkcs12 -export -in "$ex/client.crt" -nokeys -passout pass: -out "$c/pkcs12/certs-only.p12"

# JKS from the PKCS#12, when keytool is there.
if command -v keytool >/dev/null; then
  keytool -importkeystore -srckeystore "$c/pkcs12/modern.p12" -srcstoretype PKCS12 -srcstorepass $pw \
    -destkeystore "$c/jks/client.jks" -deststoretype JKS -deststorepass $pw -noprompt >/dev/null 2>&1
  keytool -importcert -noprompt -alias root -file ../testdata/examples/root-ca.pem \
    -keystore "$c/jks/trust.jks" -storetype JKS -storepass $pw >/dev/null 2>&1
else
  echo "seed: no keytool, jks corpus left empty"
fi

# Keys in every shape (DER), and encrypted PKCS#8.
openssl pkey -in "$ex/client.key" -outform DER -out "$c/keys/pkcs8.der"
openssl rsa -in "$ex/client.key" -traditional -outform DER -out "$c/keys/pkcs1.der" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$t/ec.pem"
openssl ec -in "$t/ec.pem" -outform DER -out "$c/keys/sec1.der" 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 100 -in "$ex/client.key" -outform DER \
  -passout pass:$pw -out "$c/keys/pbes2.der"
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -iter 100 -in "$t/ec.pem" -outform DER \
  -passout pass:$pw -out "$c/keys/pkcs12-pbe.der" 2>/dev/null || true

# The chain stages read any of them.
cp "$c"/pem_scan/* "$c"/pkcs7/* "$c"/pkcs12/* "$c/chain/"
cp "$c"/jks/* "$c/chain/" 2>/dev/null || true
openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 100 -in "$ex/client.key" -passout pass:$pw -out "$t/enc.pem"
cat "$t/enc.pem" "$ex/client.crt" "$ex/ca-bundle.txt" > "$c/chain/encrypted-key-and-chain.pem"
openssl pkey -in "$ex/client.key" -traditional -aes256 -passout pass:$pw -out "$c/chain/legacy-encrypted.pem" 2>/dev/null || true
ls "$c"/* | wc -l
