#!/bin/sh
# One-shot: a CA for the two-node network and, for each gateway, a P-256 key with a certificate for
# its service name (and loopback, for the published port), for server and client use: native HTTPS
# and mutual TLS between the peers (GATEWAY_TLS_*). Existing files are kept.
set -eu

TLS=/provision/tls
mkdir -p "$TLS"
cd "$TLS"
EC="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
[ -f ca.crt ] || openssl req -x509 $EC -keyout ca.key -out ca.crt -days 365 -subj "/CN=Two-node network CA"
for host in gateway-fr gateway-ng; do
  [ -f "$host.crt" ] && continue
  printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' "$host" > "$host.ext"
  openssl req $EC -keyout "$host.key" -out "$host.csr" -subj "/CN=$host"
  openssl x509 -req -in "$host.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$host.crt" \
    -days 365 -extfile "$host.ext"
done
chmod 600 ./*.key
# The image's `node` user (uid 1000) reads them.
chown -R 1000:1000 "$TLS"
