#!/bin/sh
# owdata's nginx entry point: render nginx.conf.template from environment variables, check
# the result with `nginx -t`, then run nginx in the foreground.
#
#   entrypoint.sh [--prefix DIR] [run|render|check]
#
#   run     (default) render, check, then exec nginx (the container's command)
#   render  write DIR/nginx.conf and create the folders nginx needs, nothing else
#   check   render, then `nginx -t`
#
# DIR (default /var/cache/nginx/owdata) holds the rendered file, the pid file, the cache and
# the temporary files: the tests and the benchmark point it at a temporary folder and run
# this very script, so what they check is what the container runs.
#
# Every variable has a default (listed below and in .env.dist, section "Deployment"). Values
# are checked against a strict pattern before they reach the configuration, so a stray `;`
# or quote in the environment cannot inject nginx directives.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=/var/cache/nginx/owdata
mode=run
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
        run | render | check) mode=$1; shift ;;
        *) echo "usage: $0 [--prefix DIR] [run|render|check]" >&2; exit 2 ;;
    esac
done
prefix=${prefix%/}

fail() {
    echo "owdata-nginx: $*" >&2
    exit 1
}

# setting NAME DEFAULT ERE DESCRIPTION: apply the default (empty counts as unset, so compose
# can pass `${VAR:-}` through) and refuse a value that does not match the pattern.
setting() {
    eval "value=\${$1:-}"
    if [ -z "$value" ]; then value=$2; fi
    if [ -z "$value" ]; then export "$1="; return; fi  # empty default: the feature is off
    # grep matches line by line: a value spanning lines is refused before it is matched.
    if [ "$(printf '%s' "$value" | wc -l)" -ne 0 ] || ! printf '%s' "$value" | grep -Eqx -- "$3"; then
        fail "$1='$value' is not valid: expected $4"
    fi
    export "$1=$value"
}

setting NGINX_LISTEN 8080 '(\[[0-9a-fA-F:]+\]:|[0-9.]+:)?[0-9]{1,5}' 'a port, or address:port'
setting NGINX_UPSTREAM app:8080 '[A-Za-z0-9._-]+:[0-9]{1,5}|\[[0-9a-fA-F:]+\]:[0-9]{1,5}' 'host:port of the app'
setting NGINX_WORKER_PROCESSES auto 'auto|[1-9][0-9]*' 'auto or a number'
setting NGINX_WORKER_CONNECTIONS 1024 '[1-9][0-9]*' 'a number'
setting NGINX_WORKER_USER '' '[a-z_][a-z0-9_-]*' 'a user name'
setting NGINX_RATE_LIMIT 30 '[1-9][0-9]*' 'requests per second, at least 1'
setting NGINX_RATE_LIMIT_BURST 5 '[0-9]+' 'a number of requests'
setting NGINX_MAX_CONNECTIONS_PER_IP 10 '[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]' 'a number of connections, at most 65535'
setting NGINX_TRUSTED_PROXIES '' '[0-9A-Fa-f.:/, ]*' 'addresses or CIDR ranges separated by commas'
setting NGINX_REAL_IP_HEADER X-Forwarded-For '[A-Za-z0-9-]+' 'a header name'
setting NGINX_MICROCACHE_SECONDS 10 '[1-9][0-9]{0,5}' 'whole seconds, at least 1'
setting NGINX_CACHE_MAX_SIZE 512m '[1-9][0-9]*[kKmMgG]?' 'a size such as 512m'
setting NGINX_CACHE_INACTIVE 1d '[1-9][0-9]*(ms|s|m|h|d|w|M|y)?' 'a duration such as 1d'
setting NGINX_PROXY_READ_TIMEOUT 60s '[1-9][0-9]*(ms|s|m|h)?' 'a duration such as 60s'
setting NGINX_CORS_ALLOW_ORIGIN '*' '\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?' '* or one origin (https://example.org)'
setting NGINX_GZIP_LEVEL 5 '[1-9]' 'a level from 1 to 9'
setting NGINX_ACCESS_LOG /dev/stdout 'off|/[A-Za-z0-9/._-]+' 'off or an absolute file path'
setting NGINX_ERROR_LOG_LEVEL warn 'debug|info|notice|warn|error|crit|alert|emerg' 'an nginx log level'

# --- values derived from the settings -----------------------------------------------------

# Workers drop to an unprivileged user only when the master runs as root (the stock nginx
# image); as any other user the directive would only produce a warning. Unset, the user is
# the first that exists of `nginx` (the nginx image), `www-data` (Debian, Ubuntu), `nobody`.
RENDER_USER=''
if [ "$(id -u)" = 0 ]; then
    if [ -z "$NGINX_WORKER_USER" ]; then
        for candidate in nginx www-data nobody; do
            if id -u "$candidate" >/dev/null 2>&1; then
                NGINX_WORKER_USER=$candidate
                break
            fi
        done
        [ -n "$NGINX_WORKER_USER" ] || fail "NGINX_WORKER_USER: none of nginx, www-data, nobody exists; set it to an unprivileged user"
    fi
    group=$(id -gn "$NGINX_WORKER_USER" 2>/dev/null) || fail "NGINX_WORKER_USER: no user '$NGINX_WORKER_USER' (unset it to use nginx, www-data or nobody, whichever exists)"
    RENDER_USER="user $NGINX_WORKER_USER $group;"
fi

RENDER_ACCESS_LOG="access_log $NGINX_ACCESS_LOG owdata;"
if [ "$NGINX_ACCESS_LOG" = off ]; then RENDER_ACCESS_LOG='access_log off;'; fi

# Trusted proxies: nginx takes the client address from NGINX_REAL_IP_HEADER only when the
# peer is one of them; everyone else is keyed on the address of the connection itself.
RENDER_REAL_IP=''
RENDER_TRUSTED_GEO=''
for proxy in $(printf '%s' "$NGINX_TRUSTED_PROXIES" | tr ',' ' '); do
    RENDER_REAL_IP="${RENDER_REAL_IP}set_real_ip_from $proxy;
    "
    RENDER_TRUSTED_GEO="${RENDER_TRUSTED_GEO}$proxy 1;
        "
done
if [ -n "$RENDER_REAL_IP" ]; then
    RENDER_REAL_IP="${RENDER_REAL_IP}real_ip_header $NGINX_REAL_IP_HEADER;
    real_ip_recursive on;"
fi

# below N: an extended regex matching the decimal numbers lower than N, so nginx can refuse
# to keep answers the app allows to be reused for less time than the micro-cache holds them.
below() {
    n=$1
    len=${#n}
    alternatives=''
    if [ "$len" -gt 1 ]; then alternatives="[0-9]{1,$((len - 1))}"; fi
    i=1
    while [ "$i" -le "$len" ]; do
        digit=$(printf '%s' "$n" | cut -c"$i")
        if [ "$digit" -gt 0 ]; then
            head=''
            if [ "$i" -gt 1 ]; then head=$(printf '%s' "$n" | cut -c1-$((i - 1))); fi
            tail=$((len - i))
            alternative="$head[0-$((digit - 1))]"
            if [ "$tail" -gt 0 ]; then alternative="$alternative[0-9]{$tail}"; fi
            alternatives="${alternatives:+$alternatives|}$alternative"
        fi
        i=$((i + 1))
    done
    printf '%s' "$alternatives"
}
RENDER_SHORT_MAX_AGE=$(below "$NGINX_MICROCACHE_SECONDS")

export RENDER_USER RENDER_ACCESS_LOG RENDER_REAL_IP RENDER_TRUSTED_GEO RENDER_SHORT_MAX_AGE

# --- render --------------------------------------------------------------------------------

# Only these names are substituted: nginx's own `$uri`, `$args`... stay as they are.
variables='${NGINX_LISTEN} ${NGINX_UPSTREAM} ${NGINX_WORKER_PROCESSES} ${NGINX_WORKER_CONNECTIONS}
${NGINX_RATE_LIMIT} ${NGINX_RATE_LIMIT_BURST} ${NGINX_MAX_CONNECTIONS_PER_IP}
${NGINX_MICROCACHE_SECONDS} ${NGINX_CACHE_MAX_SIZE} ${NGINX_CACHE_INACTIVE}
${NGINX_PROXY_READ_TIMEOUT} ${NGINX_CORS_ALLOW_ORIGIN} ${NGINX_GZIP_LEVEL}
${NGINX_ERROR_LOG_LEVEL} ${RENDER_USER} ${RENDER_ACCESS_LOG} ${RENDER_REAL_IP}
${RENDER_TRUSTED_GEO} ${RENDER_SHORT_MAX_AGE}'

command -v envsubst >/dev/null 2>&1 || fail "envsubst is required (Debian: gettext-base)"
for folder in "$prefix" "$prefix/run" "$prefix/cache" "$prefix/temp"; do
    mkdir -p "$folder"
done
envsubst "$variables" <"$here/nginx.conf.template" >"$prefix/nginx.conf"

if [ "$mode" = render ]; then
    echo "owdata-nginx: rendered $prefix/nginx.conf" >&2
    exit 0
fi

# -p: relative paths in the configuration (pid, cache, temporary files) are under the prefix;
# -e: errors before the configuration is read go to stderr, not to a compiled-in log file.
nginx -t -q -p "$prefix/" -e stderr -c "$prefix/nginx.conf" || fail "nginx -t rejected $prefix/nginx.conf"
if [ "$mode" = check ]; then
    echo "owdata-nginx: $prefix/nginx.conf is valid" >&2
    exit 0
fi
echo "owdata-nginx: listening on $NGINX_LISTEN, proxying to $NGINX_UPSTREAM" >&2
exec nginx -p "$prefix/" -e stderr -c "$prefix/nginx.conf" -g 'daemon off;'
