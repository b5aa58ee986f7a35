package llm

import (
	"testing"
	"time"
)

func TestBackoffGrowsWithJitterAndCeiling(t *testing.T) {
	c := &OpenAI{opts: Options{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second, MaxRetryAfter: 30 * time.Second}}
	for n, base := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 6: time.Second, 60: time.Second} {
		for range 50 {
			d, ok := c.delay(n, &Error{Kind: ErrUnavailable})
			if !ok || d < base/2 || d > base {
				t.Fatalf("delay(%d) = %v, want within [%v, %v]", n, d, base/2, base)
			}
		}
	}
	if _, ok := c.delay(1, &Error{Kind: ErrRateLimited, retryAfter: time.Minute}); ok {
		t.Error("a Retry-After above MaxRetryAfter was waited for")
	}
}
