package eval

import (
	"math"
	"math/rand/v2"
	"sort"
)

// BootstrapResamples and BootstrapSeed make every comparison reproducible: the same pairs give the same interval.
const (
	BootstrapResamples = 10000
	BootstrapSeed      = 20240610
)

// Interval is a paired bootstrap estimate of the mean difference B − A over items scored by both runs.
type Interval struct {
	N        int     `json:"n"`
	Mean     float64 `json:"mean"`
	Low      float64 `json:"low"`  // 2.5th percentile of the resampled means
	High     float64 `json:"high"` // 97.5th percentile
	Resample int     `json:"resamples"`
}

// Significant reports whether the 95 % interval excludes zero: the difference is larger than the noise of
// which items happened to be in the set.
func (iv Interval) Significant() bool {
	return iv.N > 1 && (iv.Low > 0 || iv.High < 0)
}

// PairedBootstrap resamples the per-item differences diffs (B − A on the same item) with replacement and
// returns the 95 % percentile interval of their mean. The generator is seeded with seed, so a report can be
// regenerated exactly.
func PairedBootstrap(diffs []float64, resamples int, seed uint64) Interval {
	iv := Interval{N: len(diffs), Resample: resamples}
	if len(diffs) == 0 {
		return iv
	}
	var sum float64
	for _, d := range diffs {
		sum += d
	}
	iv.Mean = sum / float64(len(diffs))
	if resamples <= 0 {
		iv.Low, iv.High = iv.Mean, iv.Mean
		return iv
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	means := make([]float64, resamples)
	n := len(diffs)
	for r := range means {
		var s float64
		for range n {
			s += diffs[rng.IntN(n)]
		}
		means[r] = s / float64(n)
	}
	sort.Float64s(means)
	iv.Low = percentile(means, 0.025)
	iv.High = percentile(means, 0.975)
	return iv
}

// percentile interpolates linearly between the closest ranks of sorted values (numpy's default).
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return sorted[lo] + (sorted[hi]-sorted[lo])*frac
}
