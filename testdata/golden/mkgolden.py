#!/usr/bin/env python3
"""Writes the golden values of the fixtures in testdata/logs by running the
reference script's own functions (_find_log_files, parse_resource_logs,
compute_cluster_stats, compute_per_host_stats) on them.

The reference script (generate_resource_report.py) is not part of this
repository; give its path. Run from the repository root:

    python3 testdata/golden/mkgolden.py PATH/TO/generate_resource_report.py

Each output file is testdata/golden/<fixture>_<interval>_<range>.json.gz.
Besides the reference's bins, each file records per bin and per host-bin
which keys are statistics over no present value ("bins_absent",
"hosts_absent"): every sample of the bin had the field empty (or, for the
OC_HIT_NUM keys, no delta between two samples that carried the counters).
The reference writes 0 there, as it counts an empty field as 0; resreport
writes null, and only there (or where the reference writes -1).
"""
import contextlib
import gzip
import importlib.util
import io
import json
import os
import sys
from datetime import datetime

# fixture -> (since, until) of its windowed runs; keep in step with
# bench/loggen/fixtures.go
WINDOWS = {
    "layout1": ("2026-05-06T23:45:00", "2026-05-07T00:15:30.5"),
    "layout2": ("2026-05-06T23:50:00", "2026-05-07T00:10:00"),
    "layout3": ("2026-05-06T23:41:00", "2026-05-07T00:19:00"),
    "v21": ("2026-05-06T23:45:00", "2026-05-07T00:15:00"),
    "nopipe_layout1": ("2026-05-06T23:44:10", "2026-05-07T00:16:00"),
    "nopipe_layout2": ("2026-05-06T23:52:00", "2026-05-07T00:08:00"),
    "nopipe_layout3": ("2026-05-06T23:40:30", "2026-05-07T00:20:00"),
    "nopipe_v21": ("2026-05-06T23:45:00", "2026-05-07T00:15:00"),
}
INTERVALS = [1000, 60000, 600000, 3600000]

# Where the reference reads each of its record keys: (index of the
# '|'-separated field, index of the '/'-separated sub-field or None).
FIELDS = {
    "mem_usage": (7, 0), "mem_physical": (7, 1), "mem_total_limit": (7, 2), "mem_ratio": (7, 3),
    "sc_mem_usage": (7, 4), "sc_mem_limit": (7, 5),
    "spill_space": (8, 0), "spill_physical": (8, 1), "spill_limit": (8, 2),
    "active_clients": (9, None), "object_count": (10, None), "object_size": (11, None),
    "etcd_queue_size": (16, 0), "etcd_queue_limit": (16, 1), "etcd_queue_usage": (16, 2),
    "etcd_success_rate": (17, None), "obs_success_rate": (18, None), "stream_count": (20, None),
    "disk_usage": (26, 0), "disk_physical": (26, 1), "disk_limit": (26, 2), "disk_rate": (26, 3),
    "sc_cache_usage": (27, 0), "sc_cache_reserved": (27, 1), "sc_cache_limit": (27, 2), "sc_cache_rate": (27, 3),
    "oc_mem_hit": (28, 0), "oc_disk_hit": (28, 1), "oc_l2_hit": (28, 2), "oc_remote_hit": (28, 3), "oc_miss": (28, 4),
}
POOLS = {"worker_oc": 12, "worker_worker_oc": 13, "master_worker_oc": 14, "master_oc": 15, "async": 19}
OC = ["oc_mem_hit", "oc_disk_hit", "oc_l2_hit", "oc_remote_hit", "oc_miss"]


def load_reference(path):
    spec = importlib.util.spec_from_file_location("reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fmt_time(t):
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        s += ".%06d" % t.microsecond
    return s


def present_keys(parts, ref):
    """The record keys whose field a line's parts carry (not empty)."""
    out = set()
    for key, (i, sub) in FIELDS.items():
        if len(parts) <= i or not parts[i]:
            continue
        if sub is None or sub < len(parts[i].split("/")):
            out.add(key)
    for name, i in POOLS.items():
        if len(parts) > i and parts[i] and len(parts[i].split("/")) >= len(ref._TP_SUB_FIELDS):
            out.update("tp_%s_%s" % (name, f) for f in ref._TP_SUB_FIELDS)
    return out


def presence(files_by_host, since, until, data, ref):
    """host -> [present keys of each record], in the order of the
    reference's records, which it checks against data (the reference's
    parse): same timestamps, and 0 (or -1) wherever a field is empty."""
    since_ts = datetime.fromisoformat(since) if since else None
    until_ts = datetime.fromisoformat(until) if until else None
    out = {}
    for host, files in files_by_host.items():
        recs = []
        for path in files:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8", errors="replace") as f:
                for line in f:
                    parts = [p.strip() for p in line.strip().split("|")]
                    if len(parts) < 12:
                        continue
                    try:
                        ts = datetime.fromisoformat(parts[0])
                    except ValueError:
                        continue
                    if (since_ts and ts < since_ts) or (until_ts and ts >= until_ts):
                        continue
                    recs.append((ts, present_keys(parts, ref)))
        recs.sort(key=lambda r: r[0])
        theirs = data[host]
        assert [r[0] for r in recs] == [r[0] for r in theirs], host
        for (_, keys), (_, m) in zip(recs, theirs):
            for k in FIELDS:
                assert k in keys or m.get(k, 0) in (0, -1), (host, k, m.get(k))
        out[host] = [keys for _, keys in recs]
    return out


def oc_delta_present(bin_last, tbs):
    """tb -> whether the OC_HIT_NUM delta into bin tb is between two samples
    that carry the counters, over the bins tbs in which a delta may start."""
    out, prev = {}, None
    for tb in tbs:
        cur = bin_last.get(tb)
        if cur is None:
            continue
        if prev is not None:
            out[tb] = all(k in cur and k in prev for k in OC)
        prev = cur
    return out


def absent_cluster(ref, data, present, interval, bins):
    tp_keys = ["tp_%s_%s" % (p, f) for p in ref._TP_PREFIXES for f in ref._TP_SUB_FIELDS]
    gauges = ref._GAUGE_KEYS + tp_keys + ["etcd_success_rate", "obs_success_rate"]
    tbs = sorted({ref._time_bin_ms(ts, interval) for recs in data.values() for ts, _ in recs})
    seen = {}  # tb -> keys present in some sample
    oc = {}  # tb -> whether some host's delta carries the counters
    for host, recs in data.items():
        last = {}
        for (ts, _), keys in zip(recs, present[host]):
            tb = ref._time_bin_ms(ts, interval)
            seen.setdefault(tb, set()).update(keys)
            last[tb] = keys  # records are in time order
        for tb, ok in oc_delta_present(last, tbs).items():
            oc[tb] = oc.get(tb, False) or ok
    out = []
    for b in bins:
        tb = b["time"]
        absent = set()
        for g in gauges:
            if g not in seen.get(tb, ()):
                absent.update(k for k in ("%s_avg" % g, "%s_max" % g, "%s_min" % g) if k in b)
        if not oc.get(tb, False):
            absent.update(k for k in b if k.startswith("oc_") and k.endswith(("_sum", "_avg")))
            absent.update(["cache_hit_rate", "total_hits", "total_requests"])
        out.append(sorted(absent))
    return out


def absent_hosts(ref, data, present, interval, hosts):
    out = {}
    for host, rows in hosts.items():
        seen, last = {}, {}
        for (ts, _), keys in zip(data[host], present[host]):
            tb = ref._time_bin_ms(ts, interval)
            seen.setdefault(tb, set()).update(keys)
            last[tb] = keys
        oc = oc_delta_present(last, sorted(last))
        absent_rows = []
        for b in rows:
            tb = b["time"]
            absent = set()
            for g in ("mem_usage", "mem_ratio", "object_count", "object_size"):
                if g not in seen.get(tb, ()):
                    absent.update(("%s_avg" % g, "%s_max" % g, "%s_min" % g))
            if not oc.get(tb, False):
                absent.add("cache_hit_rate")
            absent_rows.append(sorted(absent))
        out[host] = absent_rows
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 testdata/golden/mkgolden.py PATH/TO/generate_resource_report.py "
                 "(the reference script, not shipped with this repository)")
    ref = load_reference(sys.argv[1])
    out_dir = os.path.join("testdata", "golden")
    for fixture, (since, until) in sorted(WINDOWS.items()):
        rel = os.path.join("testdata", "logs", fixture)
        log_dir = os.path.abspath(rel)  # absolute, no trailing slash: see _find_log_files
        for interval in INTERVALS:
            for rng, (s, u) in (("all", (None, None)), ("window", (since, until))):
                with contextlib.redirect_stdout(io.StringIO()):
                    files = ref._find_log_files(log_dir)
                    data = ref.parse_resource_logs(files, s, u)
                    bins = ref.compute_cluster_stats(data, interval)
                    hosts = ref.compute_per_host_stats(data, interval)
                present = presence(files, s, u, data, ref)
                bins_absent = absent_cluster(ref, data, present, interval, bins)
                hosts_absent = absent_hosts(ref, data, present, interval, hosts)
                for b in bins:
                    b["time"] = fmt_time(b["time"])
                for rows in hosts.values():
                    for b in rows:
                        b["time"] = fmt_time(b["time"])
                doc = {"log_dir": rel, "interval_ms": interval, "since": s or "", "until": u or "",
                       "bins": bins, "hosts": hosts, "bins_absent": bins_absent, "hosts_absent": hosts_absent}
                name = "%s_%d_%s.json.gz" % (fixture, interval, rng)
                text = json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"
                with open(os.path.join(out_dir, name), "wb") as f:
                    f.write(gzip.compress(text.encode(), mtime=0))
                print("wrote", name, len(bins), "bins")


if __name__ == "__main__":
    main()
