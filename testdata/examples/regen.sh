#!/usr/bin/env bash
# Regenerates the bundled example: what a user typically has after buying a
# client certificate. A private key from the CSR, the leaf from the CA's
# email, and a "CA bundle" with the root pasted in, the intermediates in the
# wrong order, and email junk around the blocks. Run from this directory.
set -euo pipefail
d=salesforce-client
rm -rf "$d" && mkdir "$d"
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cnf() { printf '%s\n' "[v]" "basicConstraints=critical,CA:$1" "keyUsage=critical,$2" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" ${3:+"extendedKeyUsage=$3"} > "$w/$4.cnf"; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$w/root.key" 2>/dev/null
openssl req -x509 -new -key "$w/root.key" -subj "/O=Example Trust/CN=Example Root CA" -days 3650 -out "$w/root.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
prev=root
for n in 1 2; do
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$w/int$n.key" 2>/dev/null
  openssl req -new -key "$w/int$n.key" -subj "/O=Example Trust/CN=Example Issuing CA $n" -out "$w/int$n.csr" 2>/dev/null
  cnf TRUE "keyCertSign,cRLSign" "" "int$n"
  openssl x509 -req -in "$w/int$n.csr" -CA "$w/$prev.pem" -CAkey "$w/$prev.key" -CAcreateserial -days 3000 \
    -extfile "$w/int$n.cnf" -extensions v -out "$w/int$n.pem" 2>/dev/null
  prev=int$n
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/client.key" 2>/dev/null
openssl req -new -key "$d/client.key" -subj "/O=Example Corp/CN=api-client.example.com" -out "$w/client.csr" 2>/dev/null
cnf FALSE "digitalSignature" "clientAuth" client
openssl x509 -req -in "$w/client.csr" -CA "$w/int2.pem" -CAkey "$w/int2.key" -CAcreateserial -days 365 \
  -extfile "$w/client.cnf" -extensions v -out "$d/client.crt" 2>/dev/null
{
  echo "Hello, please find your CA bundle below."
  echo
  sed 's/^/> /' "$w/int1.pem"
  echo "-- root --"
  cat "$w/root.pem"
  echo "Kind regards, the CA"
  cat "$w/int2.pem"
} > "$d/ca-bundle.txt"
cp "$w/root.pem" root-ca.pem
echo "wrote $d/ and root-ca.pem"
