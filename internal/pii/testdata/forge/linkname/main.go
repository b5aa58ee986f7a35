// Forging route, kept to prove it stays closed (TestForgingRoutes): this program must not build, or be flagged.
package main

import (
	_ "unsafe"

	"github.com/plume-services/plume/internal/pii"
)

//go:linkname public github.com/plume-services/plume/internal/pii.Public
func public(string) pii.Redacted

var citizen = "Élodie Ndiaye 06 12 34 56 78"

func main() { _ = public(citizen) }
