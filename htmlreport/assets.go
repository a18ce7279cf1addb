package htmlreport

import (
	"embed"
	_ "embed" // the page's own script, style and template
)

// Versions of the vendored chart library (see assets/VERSIONS and
// assets/update.sh).
const (
	EChartsVersion = "6.1.0"
	ZRenderVersion = "6.1.0"
)

//go:embed assets/echarts/echarts.min.js
var echartsJS string

// licenseFiles are the third-party licenses of the inlined chart library,
// in the order the page lists them.
var licenseFiles = []string{
	"assets/echarts/LICENSE",
	"assets/echarts/NOTICE",
	"assets/echarts/licenses/LICENSE-d3",
	"assets/zrender/LICENSE",
}

//go:embed assets/echarts/LICENSE assets/echarts/NOTICE assets/echarts/licenses/LICENSE-d3 assets/zrender/LICENSE
var licenseFS embed.FS

//go:embed report.js
var reportJS string

//go:embed report.css
var reportCSS string

//go:embed report.html.tmpl
var reportTmpl string
