#!/bin/sh
# Copy the front-end files the shop serves itself from node_modules/ into static/vendor/, with
# their licences. Run after changing a version in package.json: `make vendor` (npm ci, then this).
# `make run` and the tests never need npm: the copied files are committed.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
dest=static/vendor/chartjs
mkdir -p "$dest"
# Without its source map (1 MB): the reference to it is dropped, or collectstatic's manifest
# storage (production) would refuse the missing file.
sed '/^\/\/# sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > "$dest/chart.umd.min.js"
cp node_modules/chart.js/LICENSE.md "$dest/LICENSE.md"
# Chart.js's UMD build bundles @kurkle/color (MIT); its licence travels with it.
cp node_modules/@kurkle/color/LICENSE "$dest/LICENSE-kurkle-color"
version="$(node -p "require('./node_modules/chart.js/package.json').version")"
echo "$version" > "$dest/VERSION"
echo "vendored Chart.js $version into $dest"
