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

# Leaflet (BSD-2-Clause): the dispatch console's map, drawn without any tile server.
dest=static/vendor/leaflet
mkdir -p "$dest/images"
sed '/^\/\/# sourceMappingURL=/d' node_modules/leaflet/dist/leaflet.js > "$dest/leaflet.js"
cp node_modules/leaflet/dist/leaflet.css "$dest/leaflet.css"
cp node_modules/leaflet/dist/images/*.png "$dest/images/"
cp node_modules/leaflet/LICENSE "$dest/LICENSE"
node -p "require('./node_modules/leaflet/package.json').version" > "$dest/VERSION"
echo "vendored Leaflet $(cat "$dest/VERSION") into $dest"

# The basemap's countries: Natural Earth 1:50m (public domain) as TopoJSON from world-atlas (ISC),
# read in the browser with topojson-client (ISC).
dest=static/vendor/world-atlas
mkdir -p "$dest"
cp node_modules/world-atlas/countries-50m.json "$dest/countries-50m.json"
cp node_modules/world-atlas/LICENSE "$dest/LICENSE"
node -p "require('./node_modules/world-atlas/package.json').version" > "$dest/VERSION"
cp node_modules/topojson-client/dist/topojson-client.min.js "$dest/topojson-client.min.js"
cp node_modules/topojson-client/LICENSE "$dest/LICENSE-topojson-client"
echo "vendored world-atlas $(cat "$dest/VERSION") and topojson-client into $dest"

# axe-core (MPL-2.0): the accessibility rules the browser tests run on every page (tests only; the
# pages never load it).
dest=static/vendor/axe-core
mkdir -p "$dest"
cp node_modules/axe-core/axe.min.js "$dest/axe.min.js"
cp node_modules/axe-core/LICENSE "$dest/LICENSE"
node -p "require('./node_modules/axe-core/package.json').version" > "$dest/VERSION"
echo "vendored axe-core $(cat "$dest/VERSION") into $dest"
