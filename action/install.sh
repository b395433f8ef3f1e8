#!/usr/bin/env bash
# Installs saasctl into $SAASCTL_ROOT/bin (action.yml's install step; runnable anywhere):
# the release archive for this OS and architecture, its .sha256 checked before anything is
# unpacked; only when the release has no such archive (HTTP 404: an OS or architecture not
# built, or no release of that version), `cargo install --locked` from $SAASCTL_SOURCE.
#
#   SAASCTL_VERSION   the version to install (0.1.0 or v0.1.0); empty: build from source
#   SAASCTL_ROOT      where to install (bin/saasctl); kept by the action's cache
#   SAASCTL_RELEASES  base URL of the releases (default: the GitHub releases of saasctl)
#   SAASCTL_SOURCE    the fallback: a local path to build (cargo install --path), or a git URL
#   SAASCTL_GIT_REF   with a git URL, the tag or commit to build
#   SAASCTL_FALLBACK_DRY_RUN=1  print the fallback's cargo command instead of running it
set -euo pipefail

version=${SAASCTL_VERSION#v}
root=${SAASCTL_ROOT:?SAASCTL_ROOT: where to install}
releases=${SAASCTL_RELEASES:-https://github.com/saasctl/saasctl/releases/download}
bin="$root/bin/saasctl"

fallback() {
    echo "saasctl: $1; building it with cargo install --locked" >&2
    local source=${SAASCTL_SOURCE:?SAASCTL_SOURCE: what to build when no release asset matches}
    local command=(cargo install --locked --force --root "$root")
    if [ -d "$source" ]; then
        command+=(--path "$source")
    else
        command+=(--git "$source" ${SAASCTL_GIT_REF:+--rev "$SAASCTL_GIT_REF"} saasctl)
    fi
    if [ "${SAASCTL_FALLBACK_DRY_RUN:-}" = 1 ]; then
        echo "dry run: ${command[*]}"
        exit 0
    fi
    "${command[@]}"
}

# A cached install of this version is used as is.
if [ -n "$version" ] && [ -x "$bin" ]; then
    case "$("$bin" --version)" in
        "saasctl $version" | "saasctl $version "*) echo "saasctl $version: cached in $root" >&2; exit 0 ;;
    esac
fi
[ -n "$version" ] || fallback "no version given (the action is not used at a release tag)"

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
    Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-gnu ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    *) fallback "no release archive is built for $(uname -s) $(uname -m)" ;;
esac

name="saasctl-$version-$target.tar.gz"
url="$releases/v$version/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=$(curl --silent --show-error --location --retry 3 --output "$work/$name" \
    --write-out '%{http_code}' "$url") || { echo "saasctl: downloading $url failed" >&2; exit 1; }
case "$status" in
    200) ;;
    404) fallback "release v$version has no $name" ;;
    *) echo "saasctl: downloading $url: HTTP $status" >&2; exit 1 ;;
esac
curl --fail --silent --show-error --location --retry 3 --output "$work/$name.sha256" "$url.sha256" \
    || { echo "saasctl: no checksum at $url.sha256: not installing an unverified archive" >&2; exit 1; }

# The checksum file names the archive; check exactly that file, nothing else.
expected=$(awk -v name="$name" '$2 == name || $2 == "*" name { print $1 }' "$work/$name.sha256")
if command -v sha256sum >/dev/null; then
    actual=$(sha256sum "$work/$name" | cut -d' ' -f1)
else
    actual=$(shasum -a 256 "$work/$name" | cut -d' ' -f1)
fi
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "saasctl: $name does not match its published checksum (expected ${expected:-none}, got $actual): refused" >&2
    exit 1
fi

tar -xzf "$work/$name" -C "$work"
mkdir -p "$root/bin"
install -m 0755 "$work/saasctl-$version-$target/saasctl" "$bin"
"$bin" --version
