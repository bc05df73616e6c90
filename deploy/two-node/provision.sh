#!/bin/sh
# One-shot provisioning of the two-node network (compose.yml, service `provision`), with the
# project's own CLI: the nodes' key pairs and passphrases, their data keys, token secrets and the
# States' register secrets, their directory entries, and the directory signed by a directory
# authority whose public key is the nodes' trust anchor. Everything lands in the shared volume
# mounted at /provision; files already there are kept, so running it again only re-signs the
# directory (issued later than the last, as nodes require).
set -eu

CLI="node dist/apps/cli/src/main.js"
OUT=/provision
mkdir -p "$OUT/secrets" "$OUT/directory/keys" "$OUT/accounts"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# A fresh random secret file (mode 600), unless it exists.
secret() {
  file=$1
  shift
  [ -f "$file" ] || $CLI secrets generate --out "$file" "$@"
}

# A key pair, encrypted with its own passphrase; prints nothing secret.
key_pair() {
  id=$1
  name=$2
  secret "$OUT/secrets/$id.passphrase" --text
  if [ ! -f "$OUT/secrets/$id.key.asc" ]; then
    GATEWAY_KEY_PASSPHRASE_FILE="$OUT/secrets/$id.passphrase" \
      $CLI keys generate --authority "$id" --name "$name" --out "$OUT/secrets" \
      > "$OUT/secrets/$id.key.json"
  fi
}

# A node: its key pair, data key, token secret, its State's register secret, its directory entry
# and an administrator account to import once the node runs (README).
node_of() {
  id=$1
  state=$2
  name=$3
  endpoint=$4
  key_pair "$id" "$name"
  secret "$OUT/secrets/$id.data-key"
  secret "$OUT/secrets/$id.token-secret"
  secret "$OUT/secrets/$state.register-secret"
  if [ ! -f "$OUT/directory/$id.json" ]; then
    cp "$OUT/secrets/$id.asc" "$OUT/directory/keys/$id.asc"
    fingerprint=$(sed -n 's/.*"fingerprint": "\([0-9A-Fa-f]*\)".*/\1/p' "$OUT/secrets/$id.key.json")
    cat > "$OUT/directory/$id.json" <<ENTRY
{
  "id": "$id",
  "state": "$state",
  "name": "$name",
  "kind": "central-authority",
  "endpoint": "$endpoint",
  "procedures": ["mla", "jit", "nationality-verification", "assets"],
  "keys": [{ "fingerprint": "$fingerprint", "publicKeyFile": "keys/$id.asc", "validFrom": "$NOW" }]
}
ENTRY
  fi
  lower=$(echo "$state" | tr 'A-Z' 'a-z')
  cat > "$OUT/accounts/$id.json" <<ACCOUNTS
[{ "username": "$lower-admin", "kind": "person", "authorityId": "$id", "roles": ["administrator"] },
 { "username": "$lower-officer", "kind": "person", "authorityId": "$id", "roles": ["central-authority-officer"] }]
ACCOUNTS
}

node_of FR-MOJ-BEPI FR "Ministère de la Justice, Bureau de l'entraide pénale internationale" https://gateway-fr:4100
node_of NG-MOJ-CA NG "Federal Ministry of Justice, Central Authority Unit" https://gateway-ng:4100

# The directory authority signs the folder into the document every node loads.
key_pair directory "Directory authority"
cp "$OUT/secrets/directory.asc" "$OUT/directory-trust-anchor.asc"
GATEWAY_KEY_PASSPHRASE_FILE="$OUT/secrets/directory.passphrase" \
  $CLI directory sign --directory "$OUT/directory" --key "$OUT/secrets/directory.key.asc" \
  --out "$OUT/directory.asc"
$CLI directory verify --file "$OUT/directory.asc" --trust-anchor "$OUT/directory-trust-anchor.asc"

# The processes run as the image's unprivileged user; they write the evidence files.
chown -R node:node "$OUT/secrets" "$OUT/directory" "$OUT/accounts" "$OUT/directory.asc" \
  "$OUT/directory-trust-anchor.asc" /var/lib/gateway/files
