#!/usr/bin/env python3
"""Writes the golden values of the fixtures in testdata/logs by running the
reference script's own functions (_find_log_files, parse_resource_logs,
compute_cluster_stats, compute_per_host_stats) on them.

Run from the repository root:

    python3 testdata/golden/mkgolden.py [PATH/TO/generate_resource_report.py]

The default reference path is ../shared/reference/generate_resource_report.py.
Each output file is testdata/golden/<fixture>_<interval>_<range>.json.gz.
"""
import contextlib
import gzip
import importlib.util
import io
import json
import os
import sys

# fixture -> (since, until) of its windowed runs; keep in step with
# bench/loggen/fixtures.go
WINDOWS = {
    "layout1": ("2026-05-06T23:45:00", "2026-05-07T00:15:30.5"),
    "layout2": ("2026-05-06T23:50:00", "2026-05-07T00:10:00"),
    "layout3": ("2026-05-06T23:41:00", "2026-05-07T00:19:00"),
    "v21": ("2026-05-06T23:45:00", "2026-05-07T00:15:00"),
}
INTERVALS = [1000, 60000, 600000, 3600000]


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


def main():
    ref_path = sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/generate_resource_report.py"
    ref = load_reference(ref_path)
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
                for b in bins:
                    b["time"] = fmt_time(b["time"])
                for rows in hosts.values():
                    for b in rows:
                        b["time"] = fmt_time(b["time"])
                doc = {"log_dir": rel, "interval_ms": interval, "since": s or "", "until": u or "",
                       "bins": bins, "hosts": hosts}
                name = "%s_%d_%s.json.gz" % (fixture, interval, rng)
                text = json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"
                with open(os.path.join(out_dir, name), "wb") as f:
                    f.write(gzip.compress(text.encode(), mtime=0))
                print("wrote", name, len(bins), "bins")


if __name__ == "__main__":
    main()
