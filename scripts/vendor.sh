#!/bin/sh
# Copy the browser libraries pinned by package-lock.json into ptsp/static/vendor (committed),
# so installing and running PTSP never needs npm or a CDN. Run after changing package.json.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
out=ptsp/static/vendor
version_of() { node -e "console.log(JSON.parse(require('fs').readFileSync('node_modules/$1/package.json')).version)"; }

cp node_modules/socket.io-client/dist/socket.io.min.js "$out/socket.io.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$out/chart.umd.min.js"
cp node_modules/qrcode-generator/dist/qrcode.js "$out/qrcode.js"
cp node_modules/morphdom/dist/morphdom-umd.min.js "$out/morphdom.min.js"
{
  printf 'socket.io-client %s (MIT), from node_modules/socket.io-client/dist/socket.io.min.js\n' "$(version_of socket.io-client)"
  printf 'chart.js %s (MIT), from node_modules/chart.js/dist/chart.umd.min.js\n' "$(version_of chart.js)"
  printf 'qrcode-generator %s (MIT), from node_modules/qrcode-generator/dist/qrcode.js\n' "$(version_of qrcode-generator)"
  printf 'morphdom %s (MIT), from node_modules/morphdom/dist/morphdom-umd.min.js\n' "$(version_of morphdom)"
} > "$out/VERSIONS.txt"
cat "$out/VERSIONS.txt"
