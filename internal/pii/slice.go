package pii

// Slice returns the bytes i to j of r: a part of filtered text is as safe as the whole (the retrieval query
// keeps some sentences of a review and drops others). It panics on bounds outside r, as slicing does.
func (r Redacted) Slice(i, j int) Redacted { return Redacted{text: r.text[i:j]} }
