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
)

var (
	keyTagsOnce sync.Once
	keyTags     map[string]uint32
)

// tagsOf returns the tags of the folded key k.
func tagsOf(k string) uint32 {
	keyTagsOnce.Do(buildKeyTags)
	return keyTags[k]
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
	keyTags = m
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
