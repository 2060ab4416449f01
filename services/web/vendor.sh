#!/usr/bin/env bash
# Re-fetch the browser libraries the web front serves itself (no CDN at run time) from the npm
# registry, at the pinned versions, and check them against SHA256SUMS. The files are committed, so
# `make run` and CI need no npm; run this (`make vendor`) only to verify or to upgrade a version.
set -euo pipefail
cd "$(dirname "$0")/static/vendor"
HTMX_VERSION=2.0.11
CHARTJS_VERSION=4.6.1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$HTMX_VERSION" "chart.js@$CHARTJS_VERSION" >/dev/null)
tar xzf "$tmp/htmx.org-$HTMX_VERSION.tgz" -C "$tmp" package/dist/htmx.min.js package/LICENSE
cp "$tmp/package/dist/htmx.min.js" htmx.min.js
cp "$tmp/package/LICENSE" htmx.LICENSE
rm -rf "$tmp/package"
tar xzf "$tmp/chart.js-$CHARTJS_VERSION.tgz" -C "$tmp" package/dist/chart.umd.min.js package/LICENSE.md
cp "$tmp/package/dist/chart.umd.min.js" chart.umd.min.js
cp "$tmp/package/LICENSE.md" chart.js.LICENSE.md
if [ "${1:-}" = "--update" ]; then
  sha256sum htmx.min.js chart.umd.min.js > SHA256SUMS
fi
sha256sum -c SHA256SUMS
