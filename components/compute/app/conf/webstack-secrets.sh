#!/bin/bash
# Copy the app's secrets from Secrets Manager to files PHP-FPM (group nginx) may read.
# Run at boot and by webstack-secrets.timer, so a rotated RDS password reaches the app within
# minutes. Settings come from /etc/webstack/secrets.env (written by the user data).
set -euo pipefail
source /etc/webstack/secrets.env
umask 027
dir=/etc/webstack/secrets
install -d -m 0750 -o root -g nginx "$dir"

fetch() {
    local file=$1 arn=$2 tmp
    tmp=$(mktemp "$dir/.$file.XXXXXX")
    if aws secretsmanager get-secret-value --region "$REGION" --secret-id "$arn" \
        --query SecretString --output text >"$tmp"; then
        chgrp nginx "$tmp"
        chmod 0640 "$tmp"
        mv -f "$tmp" "$dir/$file"
    else
        rm -f "$tmp"
        return 1
    fi
}

status=0
if [[ -n "${DATABASE_SECRET_ARN:-}" ]]; then
    fetch database.json "$DATABASE_SECRET_ARN" || status=1
fi
if [[ -n "${CACHE_SECRET_ARN:-}" ]]; then
    fetch cache.json "$CACHE_SECRET_ARN" || status=1
fi
exit "$status"
