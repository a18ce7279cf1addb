#!/usr/bin/env bash
# Refreshes the ECharts bundle that htmlreport embeds (go:embed) and inlines
# into every report, so a report needs no network. The build never runs this:
# the files it writes are committed. Run it only to change the pinned version:
#
#   htmlreport/assets/update.sh            # re-fetch the pinned versions
#   ECHARTS_VERSION=6.1.0 ZRENDER_VERSION=6.1.0 htmlreport/assets/update.sh
#
# then review `git diff --stat htmlreport/assets`, update SHA256SUMS (the
# script prints the new sums) and the version constant in htmlreport/assets.go,
# and run `go test ./htmlreport/`.
#
# Needs npm (it uses `npm pack`, which checks the registry's integrity hash).
# zrender is bundled inside echarts.min.js; its BSD-3-Clause license ships in
# the zrender package, not in echarts, so both packages are fetched.
set -euo pipefail

ECHARTS_VERSION=${ECHARTS_VERSION:-6.1.0}
ZRENDER_VERSION=${ZRENDER_VERSION:-6.1.0}

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "echarts@${ECHARTS_VERSION}" "zrender@${ZRENDER_VERSION}" >/dev/null
mkdir e z
tar -xzf "echarts-${ECHARTS_VERSION}.tgz" -C e
tar -xzf "zrender-${ZRENDER_VERSION}.tgz" -C z

# The version echarts bundles must be the zrender whose license we ship.
dep=$(node -e 'console.log(require(process.argv[1]).dependencies.zrender)' "$tmp/e/package/package.json")
if [ "$dep" != "$ZRENDER_VERSION" ]; then
	echo "echarts@${ECHARTS_VERSION} depends on zrender ${dep}, not ${ZRENDER_VERSION}" >&2
	exit 1
fi

mkdir -p "$here/echarts/licenses" "$here/zrender"
cp e/package/dist/echarts.min.js "$here/echarts/echarts.min.js"
cp e/package/LICENSE "$here/echarts/LICENSE"
cp e/package/NOTICE "$here/echarts/NOTICE"
cp e/package/licenses/LICENSE-d3 "$here/echarts/licenses/LICENSE-d3"
cp z/package/LICENSE "$here/zrender/LICENSE"
printf 'echarts %s\nzrender %s\n' "$ECHARTS_VERSION" "$ZRENDER_VERSION" >"$here/VERSIONS"

cd "$here"
sha256sum echarts/echarts.min.js echarts/LICENSE echarts/NOTICE echarts/licenses/LICENSE-d3 zrender/LICENSE
if sha256sum --quiet -c SHA256SUMS 2>/dev/null; then
	echo "assets match SHA256SUMS"
else
	echo "assets differ from SHA256SUMS: review, then write the sums above into SHA256SUMS" >&2
fi
