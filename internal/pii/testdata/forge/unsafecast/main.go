// Forging route, kept to prove it stays closed (TestForgingRoutes): this program must not build, or be flagged.
package main

import (
	"unsafe"

	"github.com/plume-services/plume/internal/pii"
)

var citizen = "Élodie Ndiaye 06 12 34 56 78"

func main() { _ = *(*pii.Redacted)(unsafe.Pointer(&citizen)) }
