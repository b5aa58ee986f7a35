package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// RateWindow is one caller's count in the current window of a rate limit.
type RateWindow struct {
	Hits    int       // requests counted in the window, this one included
	ResetAt time.Time // when the window ends and the count starts again
}

// hitRateLimitSQL counts one request for a key in the fixed window that contains now (windows of $2 seconds,
// aligned on the epoch, so that every instance agrees on them): a row of an older window starts again at 1.
const hitRateLimitSQL = `WITH w AS (
	SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start
)
INSERT INTO rate_limits AS r (key, window_start, hits)
SELECT $1, w.start, 1 FROM w
ON CONFLICT (key) DO UPDATE SET
	hits = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.hits + 1 ELSE 1 END,
	window_start = EXCLUDED.window_start
RETURNING hits, window_start + make_interval(secs => $2)`

// HitRateLimit counts one request of key in the current window of length window and returns the count, in the
// database so that every instance of Plume shares it. Once in a while it also purges the keys idle for an hour.
func (s *Store) HitRateLimit(ctx context.Context, key string, window time.Duration) (RateWindow, error) {
	secs := max(1, int(window/time.Second))
	var w RateWindow
	if err := s.Pool.QueryRow(ctx, hitRateLimitSQL, key, secs).Scan(&w.Hits, &w.ResetAt); err != nil {
		return RateWindow{}, fmt.Errorf("store: rate limit %s: %w", key, err)
	}
	if rand.IntN(500) == 0 {
		if _, err := s.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE window_start < now() - interval '1 hour'`); err != nil {
			return w, fmt.Errorf("store: purge rate limits: %w", err)
		}
	}
	return w, nil
}
