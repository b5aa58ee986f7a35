// Package testscope names what Plume's test helpers (the fake servers and the fresh databases) need from whoever
// owns what they create: a Go test, or a scenario of the test harness (cmd/plumetest) that out-of-process tests
// drive.
package testscope

// TB is the part of testing.TB the helpers use; *testing.T and *testing.B satisfy it. Cleanup runs when the
// owner ends (the test, or the harness's scenario); Fatalf stops the owner's current step.
type TB interface {
	Helper()
	Cleanup(f func())
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}
