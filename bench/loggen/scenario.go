package loggen

import "time"

// OnCallDay is the data set of the findings' acceptance tests: 8 hosts ×
// one day at 10 s (8,640 records each) with ordinary noise — ETCD and OBS
// success rates below 1.0 in 0.5% of the samples, thread pools with a peak
// queue above 0 in 2% of theirs — and six planted anomalies:
//
//	Leak          host 2 from record 5000 (13:53:20) to the end
//	Silent        host 4, records 2000–2149 (05:33:20, 25 min)
//	EtcdOutage    host 0, records 3000–3071 (08:20:00, 12 min)
//	QueueBuildUp  host 5, records 4000–4179 (11:06:40, 30 min)
//	Restart       host 7 at record 6000 (16:40:00)
//	MissSurge     every host, records 7000–7089 (19:26:40, 15 min)
func OnCallDay() Options {
	return Options{
		Hosts: 8, LinesPerHost: 8640, Start: time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC), Period: 10 * time.Second,
		Groups: []int{22, 24, 25}, Seed: 11,
		Noise: Noise{SuccessDips: 0.005, QueueBlips: 0.02},
		Anomalies: []Anomaly{
			{Kind: Leak, Host: 2, From: 5000},
			{Kind: Silent, Host: 4, From: 2000, Records: 150},
			{Kind: EtcdOutage, Host: 0, From: 3000, Records: 72},
			{Kind: QueueBuildUp, Host: 5, From: 4000, Records: 180},
			{Kind: Restart, Host: 7, From: 6000},
			{Kind: MissSurge, Host: AllHosts, From: 7000, Records: 90},
		},
	}
}
