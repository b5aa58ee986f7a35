// Forging route, kept to prove it stays closed (TestForgingRoutes): this program must not build, or be flagged.
package main

import "github.com/plume-services/plume/internal/llm"

var citizen = "Élodie Ndiaye 06 12 34 56 78"

func main() { _ = llm.Message{Role: llm.RoleUser, Content: citizen} }
