// resreport's page script: draws the charts from the JSON document in
// #report-data. Every text from the data goes into the page as text
// (textContent, or esc() in tooltip markup), never as markup.
(function () {
  'use strict';

  var D = JSON.parse(document.getElementById('report-data').textContent);
  var AXIS = D.axis;
  var N = AXIS.length;
  var charts = {};
  var GREEN = '#91cc75', YELLOW = '#fac858', RED = '#ee6666', GREY = '#bbbbbb';
  var PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc', '#2f4554'];

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function isNum(v) { return typeof v === 'number' && isFinite(v); }

  // fmt formats a display value for tooltips.
  function fmt(v, unit) {
    if (!isNum(v)) return 'N/A';
    if (unit === 'GB') return v.toFixed(2) + ' GB';
    if (unit === '%') return v.toFixed(2) + '%';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Math.round(v * 1000) / 1000);
  }

  // short formats an axis label.
  function short(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return +(v / 1e9).toFixed(1) + 'G';
    if (a >= 1e6) return +(v / 1e6).toFixed(1) + 'M';
    if (a >= 1e4) return +(v / 1e3).toFixed(1) + 'k';
    return String(+v.toFixed(3));
  }

  function column(key, scale) {
    var a = D.s[key] || [];
    if (!scale || scale === 1) return a;
    return a.map(function (v) { return v === null ? null : v * scale; });
  }

  function axisTooltip(units) {
    return {
      trigger: 'axis', confine: true, transitionDuration: 0,
      formatter: function (ps) {
        if (!ps || !ps.length) return '';
        var out = '<b>' + esc(ps[0].axisValueLabel) + '</b>';
        ps.forEach(function (p) {
          var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
          out += '<br>' + p.marker + esc(p.seriesName) + ': <b>' + esc(fmt(v, units[p.seriesIndex])) + '</b>';
        });
        return out;
      }
    };
  }

  function zoom() {
    return [{ type: 'inside', xAxisIndex: 0 }, { type: 'slider', xAxisIndex: 0, height: 16, bottom: 34 }];
  }

  function titleOf(c, sub) {
    return { text: c.title, subtext: sub || '', left: 'center', textStyle: { fontSize: 14 }, subtextStyle: { color: '#c0392b' } };
  }

  // AXIS_GAP is the room of each right axis after the first (a third
  // axis, as the thread pools' tasks per sample, sits outside the second).
  var AXIS_GAP = 64;

  function yAxes(c) {
    return (c.y || [{}]).map(function (y, i) {
      var o = {
        type: 'value', name: y.name || '', position: i ? 'right' : 'left',
        offset: i > 1 ? (i - 1) * AXIS_GAP : 0,
        splitLine: { show: i === 0 }, scale: !!y.fit,
        axisLabel: { formatter: short }
      };
      // two right axes: their names go apart, not over each other
      if (c.y.length > 2 && i > 0) o.nameTextStyle = { align: i === 1 ? 'right' : 'left' };
      if (y.min !== undefined) o.min = y.min;
      if (y.max !== undefined) o.max = y.max;
      if (y.fit) o.min = function (e) { return isNum(e.min) ? Math.max(0, Math.floor(e.min - 1)) : 0; };
      return o;
    });
  }

  function ratioColor(v) { return !isNum(v) ? GREY : v > 80 ? RED : v > 60 ? YELLOW : GREEN; }

  // A time-series chart of cluster columns.
  function seriesChart(c) {
    var units = [], hasBar = false;
    var series = c.series.map(function (s) {
      var ax = (c.y || [])[s.axis || 0] || {};
      units.push(ax.unit || '');
      var o = {
        name: s.name, type: s.type || 'line', yAxisIndex: s.axis || 0,
        data: column(s.key, s.scale)
      };
      if (o.type === 'bar') {
        hasBar = true;
        o.large = true;
        o.largeThreshold = 2000;
      } else {
        o.showSymbol = false;
        o.connectNulls = false;
        o.sampling = 'lttb';
      }
      if (s.color) { o.itemStyle = { color: s.color }; o.lineStyle = { color: s.color }; }
      if (s.style) { o.lineStyle = o.lineStyle || {}; o.lineStyle.type = s.style; }
      if (s.faint) { o.lineStyle = o.lineStyle || {}; o.lineStyle.width = 1; o.lineStyle.opacity = 0.45; }
      if (s.stack) o.stack = s.stack;
      if (s.area) o.areaStyle = { opacity: 0.12 };
      if (s.mark !== undefined) {
        o.markLine = {
          silent: true, symbol: 'none', data: [{ yAxis: s.mark }],
          lineStyle: { type: 'dashed', color: '#e67e22' },
          label: { formatter: s.mark + (ax.unit === '%' ? '%' : ''), position: 'insideEndTop' }
        };
      }
      return o;
    });
    if (c.kind === 'ratio' && series.length) {
      series[0].itemStyle = { color: function (p) { return ratioColor(p.value); } };
      series[0].markLine = {
        silent: true, symbol: 'none', lineStyle: { type: 'dashed' },
        data: [{ yAxis: 60, lineStyle: { color: YELLOW } }, { yAxis: 80, lineStyle: { color: RED } }],
        label: { formatter: '{c}%', position: 'insideEndTop' }
      };
    }
    return {
      animation: false,
      title: titleOf(c, c.empty ? 'No samples in this time range (the workers did not log this group)' : ''),
      tooltip: axisTooltip(units),
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 64, right: (c.y || []).length > 1 ? 70 + ((c.y || []).length - 2) * AXIS_GAP : 28, top: 64, bottom: 86 },
      xAxis: { type: 'category', data: AXIS, boundaryGap: hasBar },
      yAxis: yAxes(c),
      dataZoom: zoom(),
      series: series
    };
  }

  // ---- per-host data ----
  var H = D.hosts;
  var metricByKey = {};
  H.metrics.forEach(function (m) { metricByKey[m.key] = m; });

  // expand returns host i's values of metric m on the whole axis, null
  // where the host has no record in the bin.
  function expand(m, i) {
    var out = new Array(N).fill(null);
    var v = m.values[i], runs = H.runs[i], j = 0;
    if (v === null) return out;
    for (var r = 0; r < runs.length; r += 2) {
      for (var k = 0; k < runs[r + 1]; k++, j++) {
        out[runs[r] + k] = Array.isArray(v) ? v[j] : v;
      }
    }
    return out;
  }

  function lastOf(m, i) {
    var v = m.values[i];
    if (v === null) return null;
    if (!Array.isArray(v)) return v;
    for (var k = v.length - 1; k >= 0; k--) if (v[k] !== null) return v[k];
    return null;
  }

  // The hosts to show for "top 10": worst first by the metric's rank.
  function topHosts(m, n) {
    var idx = [];
    for (var i = 0; i < H.names.length; i++) if (isNum(m.rank[i])) idx.push(i);
    idx.sort(function (a, b) { return m.worse === 'low' ? m.rank[a] - m.rank[b] : m.rank[b] - m.rank[a]; });
    return idx.slice(0, n);
  }

  function hostLatestChart(c) {
    var mem = metricByKey.shm_memory_usage, ratio = metricByKey.shm_share_mem_ratio;
    var rows = [];
    for (var i = 0; i < H.names.length; i++) {
      var v = mem ? lastOf(mem, i) : null;
      if (v !== null) rows.push({ name: H.names[i], v: v, r: ratio ? lastOf(ratio, i) : null });
    }
    rows.sort(function (a, b) { return a.v - b.v; }); // largest at the top
    var many = rows.length > 30;
    var o = {
      animation: false,
      title: titleOf(c, rows.length ? 'all ' + rows.length + ' hosts, colour = usage ratio' : 'No memory samples in this time range'),
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, transitionDuration: 0,
        formatter: function (ps) {
          var p = ps[0], row = rows[p.dataIndex];
          return '<b>' + esc(row.name) + '</b><br>' + esc(fmt(row.v, 'GB')) + (row.r === null ? '' : ' (' + esc(fmt(row.r, '%')) + ')');
        }
      },
      grid: { left: 150, right: many ? 60 : 40, top: 64, bottom: 30 },
      xAxis: { type: 'value', name: 'GB', axisLabel: { formatter: short } },
      yAxis: {
        type: 'category', data: rows.map(function (r) { return r.name; }),
        axisLabel: { fontSize: 10, width: 140, overflow: 'truncate' }
      },
      series: [{
        type: 'bar', data: rows.map(function (r) { return r.v; }),
        itemStyle: { color: function (p) { return ratioColor(rows[p.dataIndex].r); } },
        label: { show: !many, position: 'right', fontSize: 10, formatter: function (p) { return fmt(p.value, 'GB'); } }
      }]
    };
    if (many) {
      o.dataZoom = [
        { type: 'slider', yAxisIndex: 0, right: 8, width: 16, startValue: rows.length - 30, endValue: rows.length - 1 },
        { type: 'inside', yAxisIndex: 0 }
      ];
    }
    return o;
  }

  var metricSel = document.getElementById('ph-metric');
  var hostSel = document.getElementById('ph-host');
  var topOpt = document.getElementById('ph-top');
  var hostInfo = document.getElementById('ph-info');

  function perHostOption(c) {
    var m = metricByKey[metricSel.value] || H.metrics[0];
    var sel = hostSel.value;
    var hosts = sel === 'top' ? topHosts(m, 10) : [parseInt(sel, 10)];
    var units = [];
    var series = hosts.map(function (i, n) {
      units.push(m.unit);
      return {
        name: H.names[i], type: 'line', data: expand(m, i), showSymbol: false,
        connectNulls: false, sampling: 'lttb', itemStyle: { color: PALETTE[n % PALETTE.length] },
        lineStyle: { color: PALETTE[n % PALETTE.length] }, emphasis: { focus: 'series' }
      };
    });
    var sub = 'average per bin' + (series.length ? '' : ' — no host has this metric in the range');
    if (sel === 'top') {
      hostInfo.textContent = 'Showing the ' + hosts.length + ' hosts with the ' +
        (m.worse === 'low' ? 'lowest minimum' : 'highest peak') + ' of ' + m.label + '.';
    } else {
      var i = hosts[0];
      hostInfo.textContent = 'Host ' + H.names[i] + ' — worker ids: ' + (H.pods[i].length ? H.pods[i].join(', ') : 'none') +
        ' — records: ' + H.records[i].toLocaleString('en-US') + ' — counter resets: ' + H.resets[i];
    }
    return {
      animation: false,
      title: { text: m.label + ' — per host, per ' + D.bin, subtext: sub, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: axisTooltip(units),
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 64, right: 28, top: 64, bottom: 86 },
      xAxis: { type: 'category', data: AXIS },
      yAxis: { type: 'value', name: m.unit || '', scale: true, axisLabel: { formatter: short } },
      dataZoom: zoom(),
      series: series
    };
  }

  function updatePerHost() {
    var m = metricByKey[metricSel.value] || H.metrics[0];
    topOpt.textContent = m.worse === 'low' ? 'Bottom 10 by minimum' : 'Top 10 by peak';
    var c = charts.per_host_chart;
    if (c) c.setOption(perHostOption(), { notMerge: true });
  }

  if (metricSel) {
    H.metrics.forEach(function (m) {
      var o = document.createElement('option');
      o.value = m.key;
      o.textContent = m.label;
      metricSel.appendChild(o);
    });
    metricSel.value = H.default;
    topOpt.textContent = 'Top 10 by peak';
    metricSel.addEventListener('change', updatePerHost);
    hostSel.addEventListener('change', updatePerHost);
  }

  // ---- draw ----
  D.charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    var opt;
    if (c.kind === 'hostLatest') opt = hostLatestChart(c);
    else if (c.kind === 'perHost') opt = perHostOption(c);
    else opt = seriesChart(c);
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(opt);
    charts[c.id] = chart;
  });
  if (metricSel) updatePerHost();

  // ---- findings: "show on the chart" scrolls to the chart of the
  // finding's rule and zooms it to the finding's bins (with some context
  // around); for a host's finding the drill-down also selects the host.
  function showFinding(a) {
    var id = a.getAttribute('data-chart'), el = document.getElementById(id), chart = charts[id];
    if (!el) return;
    var host = a.getAttribute('data-host');
    if (host && id === 'per_host_chart' && hostSel) {
      for (var i = 0; i < hostSel.options.length; i++) {
        if (hostSel.options[i].textContent === host) {
          hostSel.value = hostSel.options[i].value;
          hostSel.dispatchEvent(new Event('change'));
          break;
        }
      }
    }
    el.scrollIntoView({ block: 'center' });
    if (chart && N > 0) {
      var from = parseInt(a.getAttribute('data-from'), 10), to = parseInt(a.getAttribute('data-to'), 10);
      var pad = Math.max(5, Math.round((to - from) / 2));
      chart.dispatchAction({ type: 'dataZoom', startValue: Math.max(0, from - pad), endValue: Math.min(N - 1, to + pad) });
    }
  }

  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('a[data-chart]') : null;
    if (!a) return;
    ev.preventDefault();
    showFinding(a);
  });

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    }, 100);
  });

  // For tests and for the curious: the chart instances, by container id.
  window.resreport = { charts: charts, ready: true };
})();
