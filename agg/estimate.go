package agg

// Memory a run needs, as planned before it starts (see Estimate). The
// figures are measured sizes of the structures, rounded up.
const (
	// per cluster bin: the exact accumulators of every gauge (cluster), the
	// Result's series and the outputs' copies of them
	bytesPerClusterBin = 10 << 10
	// per host-bin of a host being read: its slot in the unit partials,
	// the combined bins and the HostResult
	bytesPerOpenHostBin = 7 << 10
	// per host-bin waiting for HostInOrder
	bytesPerWaitingBin = 1 << 10
	// the rest: batches in flight, read buffers, encoders
	bytesBase = 160 << 20
)

// MemoryPlan describes a run for Estimate.
type MemoryPlan struct {
	Hosts       int
	ClusterBins int64 // bins holding a record (at most)
	HostBins    int64 // bins of the host with the most
	Workers     int
	Ordered     bool // per-host outputs in host order (HostInOrder)
	// OpenHosts is the most hosts being read at once, when more than a
	// few: a unit of a samples file holds a run of hosts, all open until
	// the run's last time slice.
	OpenHosts int
}

// Estimate returns the memory in bytes a run of plan p needs: cluster bins
// stay in memory; of the hosts only the few being read (about one per
// worker, and the next, or OpenHosts) and those waiting for an ordered
// output.
func Estimate(p MemoryPlan) int64 {
	open := int64(max(p.Workers+2, p.OpenHosts)) * p.HostBins
	n := bytesBase + p.ClusterBins*bytesPerClusterBin + open*bytesPerOpenHostBin
	if p.Ordered {
		n += min(int64(maxWaitingBins), int64(p.Hosts)*p.HostBins) * bytesPerWaitingBin
	}
	return n
}
