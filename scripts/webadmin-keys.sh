#!/usr/bin/env bash
# Makes webadmin's JWT key pair, once, with openssl:
#   DIR/jwt_private.pem   RSA 2048 private key (PKCS#8 PEM), owner-only: it signs admin tokens
#                         (scripts/admin-token.sh). Keep it off the mail server if you can.
#   DIR/jwt_publickey     the public half, which James checks tokens with: copy it into James's conf/
#                         (james-conf/webadmin.properties reads jwt.publickeypem.url=file://conf/jwt_publickey).
# DIR: the first argument, else $BULWARK_JWT_DIR, else <repo>/.run/webadmin-jwt. A pair already there is
# kept (tokens signed with it stay valid). Prints DIR.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${BULWARK_JWT_DIR:-$repo/.run/webadmin-jwt}}"

command -v openssl >/dev/null 2>&1 || { echo "webadmin-keys: openssl is missing (apt-get install -y openssl)" >&2; exit 2; }
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
if [ ! -s "$dir/jwt_private.pem" ] || [ ! -s "$dir/jwt_publickey" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt_private.pem.new" 2>/dev/null
  openssl pkey -in "$dir/jwt_private.pem.new" -pubout -out "$dir/jwt_publickey.new"
  chmod 600 "$dir/jwt_private.pem.new"
  chmod 644 "$dir/jwt_publickey.new"
  mv "$dir/jwt_publickey.new" "$dir/jwt_publickey"
  mv "$dir/jwt_private.pem.new" "$dir/jwt_private.pem"
  echo "webadmin-keys: made a new key pair in $dir" >&2
fi
chmod 600 "$dir/jwt_private.pem"
echo "$dir"
