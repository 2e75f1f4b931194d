package main

import (
	"math"
	"slices"
	"time"
)

// stats summarise the requests of a window.
type stats struct {
	N        int
	PerSec   float64
	P50, P99 time.Duration
}

// summarize covers the samples that started in [from, to).
func summarize(samples []sample, from, to time.Duration) stats {
	return pooled(to-from, window(samples, from, to))
}

// window is the latencies of the samples that started in [from, to).
func window(samples []sample, from, to time.Duration) []time.Duration {
	var lat []time.Duration
	for _, s := range samples {
		if s.start >= from && s.start < to {
			lat = append(lat, s.latency)
		}
	}
	return lat
}

// pooled summarises the latencies of windows that lasted took in all: several measured phases
// of the same load taken as one.
func pooled(took time.Duration, latencies ...[]time.Duration) stats {
	var lat []time.Duration
	for _, l := range latencies {
		lat = append(lat, l...)
	}
	slices.Sort(lat)
	st := stats{N: len(lat), P50: percentile(lat, 50), P99: percentile(lat, 99)}
	if took > 0 {
		st.PerSec = float64(len(lat)) / took.Seconds()
	}
	return st
}

// percentile is the nearest-rank p-th percentile of sorted: the smallest value with at least
// p% of the values at or below it; 0 when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(len(sorted)) * p / 100))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
