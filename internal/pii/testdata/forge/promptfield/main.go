// Forging route, kept to prove it stays closed (TestForgingRoutes): this program must not build, or be flagged.
package main

import "github.com/plume-services/plume/prompts"

var citizen = "Élodie Ndiaye 06 12 34 56 78"

func main() { _ = prompts.DraftInput{Feeling: citizen} }
