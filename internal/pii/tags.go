package pii

import "sync"

// Tags say which of the filter's small word sets hold a token's key. tokenize looks each key up once, so that
// the rules reading the same word in several sets (a street type, a cue, a number word…) test a bit instead of
// hashing the word again for every set and every rule.
const (
	tagStop      uint32 = 1 << iota // stopwords
	tagStreet                       // streetTypes
	tagStreetAmb                    // streetTypesAmbiguous
	tagCue                          // numberCues
	tagAt                           // atWords
	tagNumWord                      // numberWords
	tagBlocker                      // blockers
	tagLegal                        // legalWords
	tagAddrCue                      // addressCues
	tagMonth                        // months
	tagLegalAdj                     // legalAdjectives
	tagCourt                        // courtWords
	tagAbroad                       // foreignStreetBefore, foreignStreetAfter
	tagRib                          // ribFields
	tagHeader                       // headerFields
	tagGreeting                     // greetingWords
	tagBirthCue                     // birthCues
	tagSecu                         // secuWords
	tagFiscal                       // fiscalWords
)

var (
	keyTagsOnce sync.Once
	keyTags     *wordIndex // a tag set's bits as the info of its keys
	// tagLens has bit n set when a tagged key has n bytes, tagFirst bit c when one starts with byte c: most
	// tokens of a text are in no set, and most of those are told so without hashing them.
	tagLens  uint64
	tagFirst [4]uint64
)

// tagsOf returns the tags of the folded key k.
func tagsOf(k string) uint32 {
	keyTagsOnce.Do(buildKeyTags)
	if len(k) == 0 || len(k) > 63 || tagLens&(1<<len(k)) == 0 || tagFirst[k[0]>>6]&(1<<(k[0]&63)) == 0 {
		return 0
	}
	return uint32(keyTags.get(k))
}

// buildKeyTags indexes the sets once, at the first scan: they are all filled by then.
func buildKeyTags() {
	m := map[string]uint32{}
	put := func(tag uint32, keys func(func(string))) { keys(func(k string) { m[k] |= tag }) }
	put(tagStop, boolKeys(stopwords))
	put(tagStreet, boolKeys(streetTypes))
	put(tagStreetAmb, boolKeys(streetTypesAmbiguous))
	put(tagCue, mapKeys(numberCues))
	put(tagAt, boolKeys(atWords))
	put(tagNumWord, mapKeys(numberWords))
	put(tagBlocker, boolKeys(blockers))
	put(tagLegal, boolKeys(legalWords))
	put(tagAddrCue, boolKeys(addressCues))
	put(tagMonth, mapKeys(months))
	put(tagLegalAdj, boolKeys(legalAdjectives))
	put(tagCourt, boolKeys(courtWords))
	put(tagAbroad, boolKeys(foreignStreetBefore))
	put(tagAbroad, boolKeys(foreignStreetAfter))
	put(tagRib, mapKeys(ribFields))
	put(tagHeader, boolKeys(headerFields))
	put(tagGreeting, boolKeys(greetingWords))
	put(tagBirthCue, boolKeys(birthCues))
	put(tagSecu, boolKeys(secuWords))
	put(tagFiscal, boolKeys(fiscalWords))
	keyBytes := 0
	for k := range m {
		if len(k) > 63 {
			panic("pii: clé de liste trop longue pour les étiquettes : " + k)
		}
		tagLens |= 1 << len(k)
		tagFirst[k[0]>>6] |= 1 << (k[0] & 63)
		keyBytes += len(k)
	}
	// The lexicon's table, not the map: every token of a text passing the two filters above is looked up.
	x := newWordIndex(len(m), keyBytes)
	for k, tags := range m {
		x.add(k, wordInfo(tags))
	}
	x.done()
	keyTags = x
}

// boolKeys yields the keys of a set whose value is true.
func boolKeys(s map[string]bool) func(func(string)) {
	return func(yield func(string)) {
		for k, v := range s {
			if v {
				yield(k)
			}
		}
	}
}

// mapKeys yields every key of a map.
func mapKeys[V any](m map[string]V) func(func(string)) {
	return func(yield func(string)) {
		for k := range m {
			yield(k)
		}
	}
}

// in reports whether t's key is in the set of tag.
func (t *tok) in(tag uint32) bool { return t.tags&tag != 0 }
