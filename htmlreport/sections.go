package htmlreport

// section is one numbered part of the page: a heading, an explanation box
// and its charts (or, for the drill-down and the table, the template's own
// markup).
type section struct {
	ID      string
	Num     int
	Title   string
	TitleZH string
	Explain explain
	Charts  []*chart
	Half    bool   // two charts per row
	Special string // "perHost" or "detail": markup of the template
	Extra   bool   // a metric group the reference parses but never shows
}

// explain is a section's explanation box: what the metric is, what normal
// looks like, the warning signs and what to check, with a short Chinese
// summary. The thresholds are the reference report's.
type explain struct {
	What, Normal, Warn, Check string
	ZH                        string
}

// buildSections returns the page's sections; bin names the bin width
// ("10 min").
func buildSections(bin string) []*section {
	per := " — per " + bin
	var s []*section
	add := func(x *section) { x.Num = len(s) + 1; s = append(s, x) }

	add(&section{
		ID: "memory", Title: "Memory usage trend", TitleZH: "内存使用趋势",
		Explain: explain{
			What: "Shared memory the workers use, per bin: the average over all samples of all hosts (Avg), " +
				"the highest single sample of any host (Max), and the workers' configured memory limit (Limit), in GB.",
			Normal: "Usage below 60% of the limit, flat or following the workload slowly.",
			Warn: "Usage above 80% of the limit (yellow) or above 90% (red); Max staying close to Limit; " +
				"usage that keeps rising and never falls back, which looks like a leak.",
			Check: "Does the object count (section 3) grow with it, i.e. writes that are never freed? " +
				"Is it one worker or all of them (sections 2 and 9)? Is eviction configured and working? " +
				"If usage only ever rises, check that clients call Remove/Delete for objects they are done with.",
			ZH: "集群共享内存使用量(GB):Avg 为所有样本平均,Max 为单个 Worker 最高值,Limit 为内存限额。" +
				"正常:使用率 < 60%。异常:> 80% 黄色警戒,> 90% 红色告警;Max 逼近 Limit;持续上升不回落(疑似泄漏)。" +
				"排查:对象数是否同步增长、是个别 Worker 还是整体、eviction 是否生效、客户端是否调用 Remove/Delete。",
		},
		Charts: []*chart{newChart("mem_chart", "Memory usage (GB)"+per).axes(gbAxis("GB")).add(
			gb("Avg usage", col("shm_memory_usage", "avg")).color(colBlue),
			gb("Max usage (one host)", col("shm_memory_usage", "max")).color(colRed).area(),
			gb("Limit (avg)", col("shm_total_limit", "avg")).dashed().color(colGrey),
		).height(400)},
	})

	add(&section{
		ID: "memory_ratio", Title: "Memory usage ratio", TitleZH: "内存使用率", Half: true,
		Explain: explain{
			What: "Left: the average used/limit ratio of all workers per bin. Bars are green below 60%, yellow from 60% to 80%, " +
				"red above 80%. Right: every host's latest memory usage (its last bin with data), largest first, " +
				"coloured by that host's ratio with the same bands.",
			Normal: "Below 60% is healthy; 60–80% deserves attention. Hosts use roughly the same amount of memory.",
			Warn: "Above 80% the workers start to risk eviction; above 90% new writes may fail. " +
				"One host far above the others is a hotspot; all hosts high at once is a capacity problem.",
			Check: "As for the memory trend. For a hotspot, check whether keys are spread evenly over the workers " +
				"(hash distribution, sharding); if all hosts are high, plan more capacity.",
			ZH: "左:每个时间段的平均内存使用率(已用/限额),绿色 < 60%,黄色 60-80%,红色 > 80%。右:每个 Host 最新内存使用量。" +
				"> 80% 有 eviction 风险,> 90% 新写入可能失败。个别 Host 远高于其他为热点(检查哈希分配/分片),全部偏高为容量不足。",
		},
		Charts: []*chart{
			newChart("mem_ratio_chart", "Memory usage ratio (%)"+per).kind("ratio").axes(pctAxis()).add(
				pct("Avg ratio", col("shm_share_mem_ratio", "avg")).bar(),
			).height(420),
			newChart("mem_dist_chart", "Latest memory per host (GB)").kind("hostLatest").height(420),
		},
	})

	add(&section{
		ID: "objects", Title: "Object cache", TitleZH: "对象缓存", Half: true,
		Explain: explain{
			What:   "Number of objects cached per worker and their total size: the average per worker (Avg) and the largest single worker (Max).",
			Normal: "The count moves with the workload and with memory usage.",
			Warn: "A sudden drop (large-scale eviction, a worker restart or lost data); " +
				"a count that only ever grows (a leak: objects that are never removed).",
			Check: "On a drop, look for restarted workers or a network partition at that time. On steady growth, check that clients " +
				"call Remove. Compare count and size: size growing faster than count means larger objects, not more of them.",
			ZH: "对象数量与总大小(Avg 为每 Worker 平均,Max 为单 Worker 最大)。正常随业务波动且与内存正相关。" +
				"异常:骤降(大规模 eviction、Worker 重启或数据丢失);只增不减(疑似泄漏)。对比大小与数量判断是大对象还是对象变多。",
		},
		Charts: []*chart{
			newChart("obj_count_chart", "Object count"+per).axes(countAxis("objects")).add(
				line("Avg per host", col("object_count", "avg")).color(colBlue),
				line("Max (one host)", col("object_count", "max")).dashed().color(colRed),
			).height(360),
			newChart("obj_size_chart", "Object size (GB)"+per).axes(gbAxis("GB")).add(
				gb("Avg per host", col("object_size", "avg")).color(colBlue).area(),
				gb("Max (one host)", col("object_size", "max")).dashed().color(colRed),
			).height(360),
		},
	})

	add(&section{
		ID: "cache_hit", Title: "Cache hit rate", TitleZH: "缓存命中率",
		Explain: explain{
			What: "How often object reads were served from the cache. Memory hits are the fastest, then disk hits, L2 hits and " +
				"remote hits (another node, the slowest); a miss goes back to the source. Hit rate = the four hits / all requests, " +
				"from the growth of each worker's OC_HIT_NUM counters in the bin, summed over workers. " +
				"The line at 99% is the reference threshold. When a counter drops (the worker restarted), the new value is taken " +
				"as that bin's growth, where the reference counted 0 and lost the bin's hits.",
			Normal: "Hit rate at or above 99%, with memory hits making up almost all of it.",
			Warn:   "Hit rate below 95%; a jump in misses; a growing share of remote hits (the local cache is too small).",
			Check: "Misses jumping: a cold start (first reads after new writes)? Remote hits high: is memory short, so that eviction " +
				"pushes objects out? Disk hits high: is the memory size configured large enough? A low rate overall: consider more worker memory.",
			ZH: "命中率 = 四种命中之和 / 总请求数(各 Worker 计数器在时间段内的增量之和)。Mem 命中最快,Remote 最慢,Miss 需回源;99% 为参考线。" +
				"正常 ≥ 99% 且以内存命中为主。异常:< 95%、Miss 突增、Remote 占比升高。计数器回退(Worker 重启)时以新值作为增量。",
		},
		Charts: []*chart{
			newChart("cache_hit_chart", "Cache hit rate (%)"+per).axes(fitPctAxis()).add(
				pct("Hit rate", "cache_hit_rate").color(colGreen).mark(99),
			).height(380),
			newChart("cache_detail_chart", "Hits and misses, sum over hosts"+per).axes(countAxis("requests")).add(
				line("Mem hit", "oc_mem_hit_sum").bar().stack("total").color(colGreen),
				line("Disk hit", "oc_disk_hit_sum").bar().stack("total").color(colBlue),
				line("L2 hit", "oc_l2_hit_sum").bar().stack("total").color(colYellow),
				line("Remote hit", "oc_remote_hit_sum").bar().stack("total").color(colCyan),
				line("Miss", "oc_miss_sum").bar().stack("total").color(colRed),
			).height(380),
		},
	})

	tp := &section{
		ID: "thread_pools", Title: "Thread pool utilization", TitleZH: "线程池使用",
		Explain: explain{
			What: "Each worker reports its pools once per sampling interval: peak concurrency (most threads busy at once), total threads, " +
				"tasks finished in the interval, peak queue (most tasks waiting at once) and utilization (share of thread time spent working). " +
				"The charts show the average over the samples of all hosts, plus the worst host's peak queue. " +
				"The five object-cache pools: client service (client reads and writes), worker to worker (objects moving between nodes), " +
				"master to worker (management commands from the master), master service (object metadata on the master) and master async " +
				"tasks (background work such as metadata cleanup and asynchronous persistence). Workers that are not the master print zeros " +
				"for the master pools, which pulls their averages down.",
			Normal: "Peak concurrency below total threads, peak queue 0, utilization below 80% (0.8).",
			Warn: "Peak queue above 0 (tasks wait: the pool cannot keep up); peak concurrency equal to total threads for long stretches " +
				"(the pool is saturated); utilization above 80% (sustained pressure, more threads needed).",
			Check: "Queueing: is something downstream slow (disk I/O, network, ETCD)? Saturation: raise the pool size. " +
				"When the client service pool is full, client requests time out: check whether latency rises in access.log.",
			ZH: "每个采集周期的线程池统计:峰值并发、总线程数、区间任务数、峰值排队、利用率。正常:峰值并发 < 总线程数,排队 = 0,利用率 < 0.8。" +
				"异常:排队 > 0、并发持续等于总数、利用率 > 0.8。排查:下游(磁盘 IO、网络、ETCD)是否变慢,是否需调大线程池,客户端线程池满时检查 access.log 延迟。",
		},
	}
	for _, p := range ocPools {
		tp.Charts = append(tp.Charts, poolChart(p, bin))
	}
	add(tp)

	add(&section{
		ID: "etcd_queue", Title: "ETCD queue", TitleZH: "ETCD 请求队列",
		Explain: explain{
			What: "Requests waiting to go to ETCD: average and largest queue depth over the workers, and the queue's capacity (Limit, red dotted). " +
				"Workers that are not the master print 0/0/0 here.",
			Normal: "Depth near 0, far below the limit (80,000 by default).",
			Warn:   "A depth that keeps growing; reaching half the limit or more; a backlog that does not drain.",
			Check: "ETCD health (etcdctl endpoint health); network latency between workers and ETCD; ETCD's disk I/O (it needs SSDs). " +
				"A full queue rejects new requests: look for ETCD errors in access.log.",
			ZH: "ETCD 请求队列深度(平均、最大)与容量上限。正常接近 0,远低于上限(80000)。异常:持续增长、超过上限的 50%、积压不消化。" +
				"排查:etcdctl endpoint health、Worker 与 ETCD 间网络延迟、ETCD 磁盘 IO(需 SSD);队列满时新请求被拒绝。",
		},
		Charts: []*chart{newChart("etcd_chart", "ETCD queue size"+per).axes(countAxis("requests")).add(
			line("Avg", col("etcd_queue_current_size", "avg")).color(colBlue),
			line("Max (one host)", col("etcd_queue_current_size", "max")).dashed().color(colOrange),
			line("Limit", col("etcd_queue_limit", "avg")).dotted().color(colRed),
		)},
	})

	add(&section{
		ID: "clients", Title: "Active clients", TitleZH: "活跃客户端数",
		Explain: explain{
			What:   "Clients connected to each worker: the average over workers, the busiest worker (Max) and the least busy (Min).",
			Normal: "A stable count that matches what the applications should open, spread evenly over the workers.",
			Warn: "A fall to 0 (a worker failed or the network broke); a sudden surge (connection leak, or abuse); " +
				"one worker with far more clients than the others (hotspot).",
			Check: "A fall: is the worker process alive, is the network up? A surge: do clients reuse connections instead of opening " +
				"new ones? A hotspot: is the consistent-hash assignment even?",
			ZH: "连接到 Worker 的客户端数(平均、最大、最小)。正常:稳定且各 Worker 均匀。异常:骤降到 0(Worker 故障或网络中断)、" +
				"异常飙升(连接泄漏)、个别 Worker 远高于其他(热点)。",
		},
		Charts: []*chart{newChart("clients_chart", "Active clients"+per).axes(countAxis("clients")).add(
			line("Avg", col("active_client_count", "avg")).color(colBlue),
			line("Max (one host)", col("active_client_count", "max")).dashed().color(colRed),
			line("Min (one host)", col("active_client_count", "min")).dotted().color(colGrey),
		)},
	})

	add(&section{
		ID: "etcd_success", Title: "ETCD request success rate", TitleZH: "ETCD 请求成功率",
		Explain: explain{
			What: "Share of ETCD requests that succeeded, which tells whether the metadata service is available: the average over the " +
				"workers and the worst worker (Min). A worker that sent no request in an interval prints nothing, so bins without " +
				"requests are gaps, not 0%.",
			Normal: "100%. Anything lower means requests failed.",
			Warn:   "Any dip below 100%; staying below 99%.",
			Check: "Is an ETCD member down (etcdctl member list)? Network reachability and latency from the workers to ETCD; " +
				"has ETCD hit its space quota? Look for ETCD errors in the worker logs.",
			ZH: "ETCD 请求成功率(平均与最差 Worker)。正常为 100%,任何低于 100% 都表示有请求失败;持续低于 99% 需处理。" +
				"排查:etcdctl member list、网络、空间配额、Worker 日志中的 ETCD 错误。无请求的区间为空白。",
		},
		Charts: []*chart{newChart("success_rate_chart", "ETCD request success rate (%)"+per).axes(fitPctAxis()).add(
			pct("Avg", col("etcd_request_success_rate", "avg")).color(colBlue).mark(99),
			pct("Min (one host)", col("etcd_request_success_rate", "min")).dashed().color(colRed),
		)},
	})

	add(&section{
		ID: "per_host", Title: "Per-host drill-down", TitleZH: "按 Host 查看", Special: "perHost",
		Explain: explain{
			What: "Any per-host metric for the N hosts (10 unless you change N) that are worst for it (highest peak; lowest minimum " +
				"for success and hit rates), worst first, or for one host: type part of its name or worker id in Find host, or pick it in the list. " +
				"Each point is the average of the host's samples in the bin; with many hosts or bins, each column of bins is drawn by its first, " +
				"lowest, highest and last average, so no spike is hidden. All hosts share one time axis: a stretch where a host has no record " +
				"is a gap in its line.",
			Normal: "Hosts follow the same pattern at similar levels.",
			Warn:   "One host far from the rest, or a host whose line has gaps (it stopped logging, restarted or was unreachable).",
			Check:  "Pick the host to see its worker ids and record count; compare with its own logs around the time of the gap or spike (every bin is in host_bins.parquet and --json).",
			ZH:     "选择指标与 Host(默认显示峰值最高的 10 个 Host)。所有 Host 使用同一时间轴,缺失的时间段显示为空白,不会错位。",
		},
		Charts: []*chart{newChart("per_host_chart", "Per-host").kind("perHost").height(440)},
	})

	add(&section{
		ID: "detail", Title: "Detail per " + bin, TitleZH: "明细表", Special: "detail",
		Explain: explain{
			What: "Every bin with data, in numbers: hosts reporting, memory (average and largest host), ratio, objects, cache hits, " +
				"and the client-service (OC) and master async pools' utilization and queue. The queue columns come from the pools' peak " +
				"queue (maxWaiting): the average over samples and the worst sample; the reference report's columns read a key that " +
				"does not exist and always showed 0.",
			Normal: "As in the sections above.",
			Warn:   "Rows where the hit rate falls, memory rises towards the limit, or queues appear.",
			Check:  "Use the time of a bad row to zoom the charts above (drag the slider under each chart) or to search the logs.",
			ZH:     "每个时间段的数字明细。排队列来自线程池峰值排队 (maxWaiting) 的平均值与最大值(参考脚本此两列始终为 0)。",
		},
	})

	add(&section{
		ID: "spill", Title: "Spill to disk", TitleZH: "溢出到磁盘 (Spill)", Extra: true,
		Explain: explain{
			What: "SPILL_HARD_DISK: space the workers use on local disk for objects spilled out of memory, the physical space it " +
				"occupies and the configured limit, in GB; on the right axis the worker's spill usage figure as logged.",
			Normal: "Little or no spill while memory has room; spill that grows and shrinks with memory pressure.",
			Warn:   "Spill usage approaching its limit; spill growing while memory is also near its limit (reads will hit disk more often).",
			Check:  "Compare with the memory sections and with disk hits in section 4; check the spill directory's disk for space and I/O load.",
			ZH:     "溢出到本地磁盘的对象空间、物理占用与限额(GB)。接近限额或与内存高压同时增长时需关注,并对照磁盘命中。",
		},
		Charts: []*chart{newChart("spill_chart", "Spill disk usage (GB)"+per).axes(gbAxis("GB"), countAxis("as logged")).add(
			gb("Space used (avg)", col("spill_space_usage", "avg")).color(colBlue),
			gb("Space used (max)", col("spill_space_usage", "max")).dashed().color(colRed),
			gb("Physical (avg)", col("spill_physical_space_usage", "avg")).color(colTeal),
			gb("Limit", col("spill_total_limit", "avg")).dotted().color(colGrey),
			line("Worker spill usage (avg)", col("spill_worker_hd_usage", "avg")).right().color(colPurple),
		)},
	})

	add(&section{
		ID: "shared_disk", Title: "Shared disk", TitleZH: "共享磁盘", Extra: true,
		Explain: explain{
			What:   "SHARED_DISK: the shared-disk cache's usage, physical usage and limit in GB, and its usage rate (right axis).",
			Normal: "Usage well below the limit, moving with the workload.",
			Warn:   "The rate approaching 100%; usage that only grows.",
			Check:  "Check the disk behind the shared-disk cache for space and I/O; compare with disk hits in section 4.",
			ZH:     "共享磁盘缓存的使用量、物理使用量、限额与使用率。使用率逼近 100% 或只增不减时需关注。",
		},
		Charts: []*chart{newChart("shared_disk_chart", "Shared disk (GB, %)"+per).axes(gbAxis("GB"), yAxis{Name: "usage %", Unit: "%", Min: ptr(0), Max: ptr(100)}).add(
			gb("Usage (avg)", col("shared_disk_usage", "avg")).color(colBlue),
			gb("Usage (max)", col("shared_disk_usage", "max")).dashed().color(colRed),
			gb("Physical (avg)", col("shared_disk_physical_usage", "avg")).color(colTeal),
			gb("Limit", col("shared_disk_limit", "avg")).dotted().color(colGrey),
			pct("Usage rate (avg)", col("shared_disk_usage_rate", "avg")).right().color(colCyan),
		)},
	})

	add(&section{
		ID: "sc_cache", Title: "Stream cache local cache", TitleZH: "流缓存本地缓存 (SC_LOCAL_CACHE)", Extra: true,
		Explain: explain{
			What: "SC_LOCAL_CACHE: the stream cache's local cache usage, reserved space and limit in GB, and its usage rate (right axis). " +
				"The worker prints nan for the rate when the limit is 0; such values are left out, not drawn as 0.",
			Normal: "Usage and reservation well below the limit.",
			Warn:   "A usage rate approaching 100%: stream producers may block or fail to get space.",
			Check:  "Compare with the stream count (section 14) and the stream cache pools (section 16).",
			ZH:     "流缓存本地缓存使用量、预留量、限额与使用率(限额为 0 时日志为 nan,按缺失处理)。使用率接近 100% 时生产者可能阻塞。",
		},
		Charts: []*chart{newChart("sc_cache_chart", "Stream cache local cache (GB, %)"+per).axes(gbAxis("GB"), yAxis{Name: "usage %", Unit: "%", Min: ptr(0), Max: ptr(100)}).add(
			gb("Usage (avg)", col("sc_local_cache_usage", "avg")).color(colBlue),
			gb("Usage (max)", col("sc_local_cache_usage", "max")).dashed().color(colRed),
			gb("Reserved (avg)", col("sc_local_cache_reserved", "avg")).color(colTeal),
			gb("Limit", col("sc_local_cache_limit", "avg")).dotted().color(colGrey),
			pct("Usage rate (avg)", col("sc_local_cache_usage_rate", "avg")).right().color(colCyan),
		)},
	})

	add(&section{
		ID: "streams", Title: "Streams and stream-cache memory", TitleZH: "流数量与流缓存内存", Extra: true, Half: true,
		Explain: explain{
			What: "STREAM_COUNT: streams open on each worker (average and largest). The stream cache's share of shared memory " +
				"(SHARED_MEMORY's scMemUsage and scMemLimit) is shown beside it.",
			Normal: "A stream count that matches the applications' design and returns to its base level after bursts.",
			Warn:   "A count that only grows (streams not closed); stream-cache memory approaching its limit.",
			Check:  "Check that producers and consumers close their streams; compare with the stream cache pools (section 16).",
			ZH:     "每个 Worker 的流数量与流缓存占用的共享内存。流数量只增不减(未关闭)或流缓存内存逼近限额时需关注。",
		},
		Charts: []*chart{
			newChart("stream_count_chart", "Stream count"+per).axes(countAxis("streams")).add(
				line("Avg", col("stream_count", "avg")).color(colBlue),
				line("Max (one host)", col("stream_count", "max")).dashed().color(colRed),
			).height(360),
			newChart("sc_mem_chart", "Stream cache memory (GB)"+per).axes(gbAxis("GB")).add(
				gb("Usage (avg)", col("shm_sc_mem_usage", "avg")).color(colBlue),
				gb("Usage (max)", col("shm_sc_mem_usage", "max")).dashed().color(colRed),
				gb("Limit", col("shm_sc_mem_limit", "avg")).dotted().color(colGrey),
			).height(360),
		},
	})

	add(&section{
		ID: "obs", Title: "OBS request success rate", TitleZH: "OBS 请求成功率", Extra: true,
		Explain: explain{
			What: "Share of requests to the object storage service (OBS, used for persistence) that succeeded: the average over " +
				"workers and the worst worker. Intervals without requests print nothing and are gaps.",
			Normal: "100%, as for ETCD.",
			Warn:   "Any dip below 100%; a sustained rate below 99%.",
			Check:  "OBS availability and credentials, network from the workers to OBS, and OBS errors in the worker logs.",
			ZH:     "OBS(对象存储,用于持久化)请求成功率。正常为 100%,低于 100% 即有失败;排查 OBS 可用性、网络与 Worker 日志。",
		},
		Charts: []*chart{newChart("obs_chart", "OBS request success rate (%)"+per).axes(fitPctAxis()).add(
			pct("Avg", col("obs_request_success_rate", "avg")).color(colBlue).mark(99),
			pct("Min (one host)", col("obs_request_success_rate", "min")).dashed().color(colRed),
		)},
	})

	sc := &section{
		ID: "sc_pools", Title: "Stream cache thread pools", TitleZH: "流缓存线程池", Extra: true,
		Explain: explain{
			What: "The four stream-cache (SC) pools, with the same figures as the object-cache pools in section 5. " +
				"A pool with no threads prints nothing, which shows as a gap.",
			Normal: "As in section 5: peak concurrency below total threads, peak queue 0, utilization below 80%.",
			Warn:   "Peak queue above 0, concurrency pinned at the total, utilization above 80%.",
			Check:  "As in section 5; for stream traffic also the stream count and the remote send rate (sections 14 and 17).",
			ZH:     "四个流缓存线程池,读法同第 5 节:排队 > 0、并发持续等于总数、利用率 > 0.8 为异常。",
		},
	}
	for _, p := range scPools {
		sc.Charts = append(sc.Charts, poolChart(p, bin))
	}
	add(sc)

	add(&section{
		ID: "stream_send", Title: "Stream remote send rate", TitleZH: "流远程发送成功率", Extra: true,
		Explain: explain{
			What:   "STREAM_REMOTE_SEND_RATE: the share of stream data sent to remote workers successfully, average and worst worker.",
			Normal: "At or near 100%.",
			Warn:   "Dips below 100%, above all when they coincide with network trouble or queueing in the stream pools.",
			Check:  "Network between the workers; the worker-to-worker stream pool (section 16); the remote workers' health.",
			ZH:     "流数据远程发送成功率(平均与最差 Worker)。应接近 100%,下跌时检查 Worker 间网络与流缓存线程池。",
		},
		Charts: []*chart{newChart("stream_send_chart", "Stream remote send rate (%)"+per).axes(fitPctAxis()).add(
			pct("Avg", col("stream_remote_send_rate", "avg")).color(colBlue),
			pct("Min (one host)", col("stream_remote_send_rate", "min")).dashed().color(colRed),
		)},
	})

	add(&section{
		ID: "other", Title: "Stream leaks and deferred cleanup", TitleZH: "流泄漏与延迟清理队列", Extra: true,
		Explain: explain{
			What: "Two counters that newer workers append: BRPC_STREAM_LEAK_COUNT (streams the RPC layer considers leaked) and " +
				"DEFERRED_CLEANUP_QUEUE_SIZE (cleanup work waiting to run). Older workers do not print them: then the chart is empty.",
			Normal: "Leak count 0 or flat; a cleanup queue that drains.",
			Warn:   "A leak count that grows; a cleanup queue that keeps growing.",
			Check:  "Look for stream errors and restarts in the worker logs around the time the counts grow.",
			ZH:     "新版本 Worker 输出的流泄漏计数与延迟清理队列长度;旧版本不输出(图为空)。泄漏计数增长或队列持续增长时需关注。",
		},
		Charts: []*chart{newChart("other_chart", "Stream leaks and cleanup queue"+per).axes(countAxis("count")).add(
			line("BRPC stream leaks (avg)", col("brpc_stream_leak_count", "avg")).color(colRed),
			line("BRPC stream leaks (max)", col("brpc_stream_leak_count", "max")).dashed().color(colOrange),
			line("Deferred cleanup queue (avg)", col("deferred_cleanup_queue_size", "avg")).color(colBlue),
			line("Deferred cleanup queue (max)", col("deferred_cleanup_queue_size", "max")).dashed().color(colPurple),
		)},
	})
	return s
}
