#!/usr/bin/env bash
# Prints a webadmin admin token: a JWT (RS256) with "sub" (who is acting: recorded in every release and
# deletion), "admin": true and an expiry, signed with the private key scripts/webadmin-keys.sh made.
#
#   scripts/admin-token.sh [--subject NAME] [--valid DURATION]
#     --subject  letters, digits, . _ @ -   (default: admin)
#     --valid    e.g. 30m, 8h, 7d, or seconds (default: 8h)
#
#   curl -H "Authorization: Bearer $(scripts/admin-token.sh)" http://127.0.0.1:8000/bulwark/quarantine
#
# The key: $BULWARK_JWT_DIR/jwt_private.pem, default <repo>/.run/webadmin-jwt/jwt_private.pem.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
key="${BULWARK_JWT_DIR:-$repo/.run/webadmin-jwt}/jwt_private.pem"
subject=admin
valid=8h

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
while [ $# -gt 0 ]; do
  case "$1" in
    --subject) [ $# -ge 2 ] || usage; subject="$2"; shift 2 ;;
    --valid) [ $# -ge 2 ] || usage; valid="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "admin-token: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$subject" =~ ^[A-Za-z0-9._@-]{1,64}$ ]] || { echo "admin-token: --subject '$subject': expected 1 to 64 letters, digits, . _ @ -" >&2; exit 64; }
[[ "$valid" =~ ^[1-9][0-9]{0,8}[smhd]?$ ]] || { echo "admin-token: --valid '$valid': expected e.g. 30m, 8h, 7d or seconds" >&2; exit 64; }
case "$valid" in
  *s) seconds=${valid%s} ;;
  *m) seconds=$(( ${valid%m} * 60 )) ;;
  *h) seconds=$(( ${valid%h} * 3600 )) ;;
  *d) seconds=$(( ${valid%d} * 86400 )) ;;
  *) seconds=$valid ;;
esac
[ -r "$key" ] || { echo "admin-token: no private key at $key: run scripts/webadmin-keys.sh first (scripts/run-local.sh does)" >&2; exit 1; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"%s","admin":true,"iat":%d,"exp":%d}' "$subject" "$now" $(( now + seconds )) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
