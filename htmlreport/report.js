// resreport's page script: draws the charts from the JSON document in
// #report-data. Every text from the data goes into the page as text
// (textContent, or esc() in tooltip markup), never as markup.
(function () {
  'use strict';

  var T = { start: performance.now() }; // milliseconds since navigation start
  var D = JSON.parse(document.getElementById('report-data').textContent);
  T.parsed = performance.now();
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
        o.connectNulls = false; // no sampling: the series are at display resolution (M4 columns) already
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
  var HS = H.slots, HAXIS = H.axis, HN = HAXIS.length;
  var metricByKey = {};
  H.metrics.forEach(function (m) { metricByKey[m.key] = m; });

  // A host's series is null (no value), a number (the same value in every
  // bin with records) or [first column, lo, step, codes]: value = lo +
  // code × step, two characters of CODES per code, NULL_CODE for no value,
  // '~' and a character c repeating the previous code CODE[c] + 2 times.
  var CODES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var CODE = new Array(128).fill(0), NULL_CODE = 4095, REPEAT = 126; // '~'
  for (var ci = 0; ci < CODES.length; ci++) CODE[CODES.charCodeAt(ci)] = ci;

  // hostValues returns host i's values of metric m on the drill-down's
  // axis, null where the host has none.
  function hostValues(m, i) {
    var out = new Array(HN).fill(null), v = m.values[i];
    if (v === null) return out;
    if (typeof v === 'number') {
      var cols = H.cols[i];
      for (var r = 0; r < cols.length; r += 2) {
        for (var k = cols[r] * HS, end = Math.min(HN, (cols[r] + cols[r + 1]) * HS); k < end; k++) out[k] = v;
      }
      return out;
    }
    var j = v[0] * HS, lo = v[1], st = v[2], s = v[3], prev = NULL_CODE;
    for (var p = 0; p + 1 < s.length; p += 2) {
      var c = s.charCodeAt(p), n = 1;
      if (c === REPEAT) n = CODE[s.charCodeAt(p + 1)] + 2;
      else prev = CODE[c] * 64 + CODE[s.charCodeAt(p + 1)];
      var x = prev === NULL_CODE ? null : lo + prev * st;
      for (; n > 0 && j < HN; n--) out[j++] = x;
    }
    return out;
  }

  // The hosts to show for "worst N": worst first by the metric's rank.
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
      var v = mem ? mem.last[i] : null;
      if (v !== null) rows.push({ name: H.names[i], v: v, r: ratio ? ratio.last[i] : null });
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
  var searchBox = document.getElementById('ph-search');
  var topN = document.getElementById('ph-n');
  var matches = document.getElementById('ph-matches');

  function topCount() {
    var n = parseInt(topN.value, 10);
    return n >= 1 ? Math.min(n, 50) : 10;
  }

  function perHostOption(c) {
    var m = metricByKey[metricSel.value] || H.metrics[0];
    var sel = hostSel.value;
    var hosts = sel === 'top' ? topHosts(m, topCount()) : [parseInt(sel, 10)];
    var units = [];
    var series = hosts.map(function (i, n) {
      units.push(m.unit);
      return {
        name: H.names[i], type: 'line', data: hostValues(m, i), showSymbol: false,
        connectNulls: false, itemStyle: { color: PALETTE[n % PALETTE.length] },
        lineStyle: { color: PALETTE[n % PALETTE.length] }, emphasis: { focus: 'series' }
      };
    });
    var reduced = HS > 1;
    var sub = (reduced ? 'columns of ' + H.width + ': first, lowest, highest and last of the bin averages' : 'average per bin') +
      (series.length ? '' : ' — no host has this metric in the range');
    if (sel === 'top') {
      hostInfo.textContent = 'Showing the ' + hosts.length + ' hosts with the ' +
        (m.worse === 'low' ? 'lowest minimum' : 'highest peak') + ' of ' + m.label + ', worst first: ' +
        hosts.map(function (i) { return H.names[i] + ' (' + fmt(m.rank[i], m.unit) + ')'; }).join(', ') + '.';
    } else {
      var i = hosts[0];
      hostInfo.textContent = 'Host ' + H.names[i] + ' — worker ids: ' + (H.pods[i].length ? H.pods[i].join(', ') : 'none') +
        ' — records: ' + H.records[i].toLocaleString('en-US') + ' — counter resets: ' + H.resets[i] +
        ' — ' + (m.worse === 'low' ? 'lowest minimum' : 'highest peak') + ': ' + fmt(m.rank[i], m.unit);
    }
    return {
      animation: false,
      title: { text: m.label + ' — per host, per ' + D.bin, subtext: sub, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: axisTooltip(units),
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 64, right: 28, top: 64, bottom: 86 },
      xAxis: { type: 'category', data: HAXIS },
      yAxis: { type: 'value', name: m.unit || '', scale: true, axisLabel: { formatter: short } },
      dataZoom: zoom(),
      series: series
    };
  }

  function updatePerHost() {
    var m = metricByKey[metricSel.value] || H.metrics[0];
    topOpt.textContent = 'Worst ' + topCount() + (m.worse === 'low' ? ' by minimum' : ' by peak');
    var c = charts.per_host_chart;
    if (c) c.setOption(perHostOption(), { notMerge: true });
  }

  // filterHosts hides the hosts whose name and worker ids do not contain
  // the search text; it returns how many match and the first.
  function filterHosts() {
    var q = searchBox.value.trim().toLowerCase(), first = null, exact = null, n = 0;
    for (var k = 0; k < hostSel.options.length; k++) {
      var o = hostSel.options[k];
      if (o.value === 'top') continue;
      var i = parseInt(o.value, 10), name = H.names[i].toLowerCase();
      var hit = q === '' || name.indexOf(q) >= 0 || H.pods[i].join('\n').toLowerCase().indexOf(q) >= 0;
      o.hidden = !hit;
      if (!hit) continue;
      n++;
      if (first === null) first = o.value;
      if (name === q) exact = o.value;
    }
    matches.textContent = q === '' ? '' : n === 0 ? 'no host matches' : n + ' of ' + H.names.length + ' hosts match';
    return { n: n, exact: exact !== null, pick: exact !== null ? exact : first };
  }

  function pickHost(v) {
    if (v === null || hostSel.value === v) return;
    hostSel.value = v;
    updatePerHost();
  }

  if (metricSel) {
    H.metrics.forEach(function (m) {
      var o = document.createElement('option');
      o.value = m.key;
      o.textContent = m.label;
      metricSel.appendChild(o);
    });
    metricSel.value = H.default;
    metricSel.addEventListener('change', updatePerHost);
    hostSel.addEventListener('change', updatePerHost);
    topN.addEventListener('change', function () { hostSel.value = 'top'; updatePerHost(); });
    searchBox.addEventListener('input', function () {
      var f = filterHosts();
      if (f.n === 1 || f.exact) pickHost(f.pick);
    });
    searchBox.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') pickHost(filterHosts().pick);
    });
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
    var points = id === 'per_host_chart' ? HN : N; // the positions are on the chart's own axis
    if (chart && points > 0) {
      var from = parseInt(a.getAttribute('data-from'), 10), to = parseInt(a.getAttribute('data-to'), 10);
      var pad = Math.max(5, Math.round((to - from) / 2));
      chart.dispatchAction({ type: 'dataZoom', startValue: Math.max(0, from - pad), endValue: Math.min(points - 1, to + pad) });
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
  T.drawn = performance.now();
  window.resreport = { charts: charts, ready: true, timing: T };
})();
