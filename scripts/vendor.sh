#!/bin/sh
# Copy the browser libraries pinned by package-lock.json into ptsp/static/vendor (committed),
# so installing and running PTSP never needs npm or a CDN. Run after changing package.json.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
dist=node_modules/socket.io-client/dist
cp "$dist/socket.io.min.js" ptsp/static/vendor/socket.io.min.js
version=$(node -p 'require("socket.io-client/package.json").version')
printf 'socket.io-client %s (MIT), from %s/socket.io.min.js\n' "$version" "$dist" > ptsp/static/vendor/VERSIONS.txt
echo "vendored socket.io-client $version"
