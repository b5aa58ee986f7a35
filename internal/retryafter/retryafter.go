// Package retryafter reads the wait an HTTP server asks a client for before its next request, for the model
// client and the Services Publics+ portal client alike.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse reads the wait h asks for: retry-after-ms (OpenAI's), then Retry-After in seconds or as an HTTP date;
// 0 when none, unreadable or already past.
func Parse(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
