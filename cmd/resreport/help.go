package main

const helpDescription = `Reads resource.log files (and rotated resource.<stamp>.log[.gz]) of KVCache
workers, aggregates them per time bin across the cluster and per host, and
writes a self-contained HTML report; optionally Parquet (--parquet-dir) and
JSON (--json).

Directory layouts (detected):
  Layout 1  LOG_DIR/<host_ip>/logs/resource.log
            e.g. /data/worker_logs/192.168.1.10/logs/resource.log
  Layout 2  LOG_DIR/<wrapper>/<host_ip>/logs/resource.log
            e.g. /data/worker_logs/kvcache_logs_20260506/192.168.1.10/logs/resource.log
  Layout 3  LOG_DIR/resource.log (one host, reported as "localhost")
The host is the first directory under LOG_DIR named like an IPv4 address
(x.x.x.x) or worker_N_N. Files whose name contains --log-pattern and ends
in .log or .log.gz are read; kv_resource.log (JSON lines) is skipped.

Examples:
  # last night's logs, 1-minute bins
  resreport /data/worker_logs --since 2026-05-05T22:30:00 -o report.html

  # a narrower window with 10-minute bins, plus Parquet and JSON
  resreport report /data/worker_logs --since 2026-05-06T00:00:00 \
      --until 2026-05-06T06:00:00 --interval 10m \
      --parquet-dir out/ --json out/report.json -o out/report.html

  # WSL: write to a Windows drive and open it in the Windows browser
  resreport /data/worker_logs --since 2026-05-05T22:30:00 -o /mnt/d/html/report.html --open

  # tarball-extracted logs (layout 2), title prefix
  resreport ./kvcache_logs_20260506 --prefix cluster-A

  # CI / cron: exit 3 when a finding is critical (or --fail-on warn)
  resreport check /data/worker_logs --since 2026-05-06T00:00:00 --fail-on critical

  # each rack converts its own logs; one place merges them
  resreport convert /data/rack1 --parquet-dir /shared/rack1 --partition
  resreport convert /data/rack2 --parquet-dir /shared/rack2 --partition
  resreport report --from-parquet /shared/rack1,/shared/rack2 -o report.html

  # a demo: generate a data set with planted problems and report on it
  resreport demo
  resreport gen --hosts 20 --lines-per-host 50000 --gzip --rotate-lines 10000 --out /tmp/logs

Every flag can also be set with an environment variable RESREPORT_<FLAG>,
e.g. RESREPORT_INTERVAL=10m.`
