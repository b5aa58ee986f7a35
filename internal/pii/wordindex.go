package pii

// wordIndex tells, for a folded key, which lexicons and word sets hold it. It is an open-addressing table of
// fixed-size slots over one string of all its keys: it holds no pointer but that string's, so the garbage
// collector does not walk 700,000 keys at every cycle (a Go map of strings did, a fifth of the CPU of a scan of a
// 3.5 MB body), and it takes about half the memory of that map.
type wordIndex struct {
	keys  string // every key once, one after the other, once built
	build []byte // the keys while the index is built
	slots []wordSlot
	mask  uint64
	n     int      // keys held
	empty wordInfo // what the empty key holds: a slot of length zero means no key
}

// wordSlot is one key of the index; n == 0 is an empty slot (the empty key has a field of its own).
type wordSlot struct {
	off  uint32 // start of the key in keys
	n    uint16 // length of the key
	fp   uint16 // 16 bits of the key's hash: most other keys met on the way are told without reading them
	info wordInfo
}

// newWordIndex returns an index with room for at most capacity keys of keyBytes bytes in all, its slots at most
// 75 % full: the four lists' 708,000 keys fill 2^20 slots to 68 %, 12 MB, where a table twice the size took
// longer to fill (one cache miss a key either way) for a few probes less on a miss.
func newWordIndex(capacity, keyBytes int) *wordIndex {
	size := 1024
	for size*3 < capacity*4 {
		size *= 2
	}
	return &wordIndex{slots: make([]wordSlot, size), mask: uint64(size - 1),
		build: make([]byte, 0, keyBytes)}
}

// find returns the slot of k, or the empty slot where k would go.
func (x *wordIndex) find(k string) *wordSlot {
	h := hashKey(k)
	fp := uint16(h >> 48)
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.n == 0 || s.fp == fp && int(s.n) == len(k) && x.keyIs(s, k) {
			return s
		}
	}
}

// keyIs reports whether the slot s holds k, reading the keys where they are: in build until done, then in keys.
func (x *wordIndex) keyIs(s *wordSlot, k string) bool {
	if x.build != nil {
		return string(x.build[s.off:s.off+uint32(s.n)]) == k
	}
	return x.keys[s.off:s.off+uint32(s.n)] == k
}

// add marks k with bit, adding k if it is new. A key over 65,535 bytes or an index past its capacity is a build
// defect: it panics at load.
func (x *wordIndex) add(k string, bit wordInfo) {
	if k == "" {
		x.empty |= bit
		return
	}
	if len(k) > 1<<16-1 {
		panic("pii: clé de lexique trop longue")
	}
	s := x.find(k)
	if s.n == 0 {
		if (x.n+1)*8 > len(x.slots)*7 {
			panic("pii: index des lexiques trop petit")
		}
		*s = wordSlot{off: uint32(len(x.build)), n: uint16(len(k)), fp: uint16(hashKey(k) >> 48)}
		x.build = append(x.build, k...)
		x.n++
	}
	s.info |= bit
}

// done ends the building: the keys move to one string, and the index is read-only from then on.
func (x *wordIndex) done() {
	x.keys = string(x.build)
	x.build = nil
}

// get returns what the lexicons and word sets say about the folded key k: zero for a key they do not hold.
func (x *wordIndex) get(k string) wordInfo {
	if k == "" {
		return x.empty
	}
	if len(k) > 1<<16-1 {
		return 0 // no key is that long: add refuses them
	}
	return x.find(k).info
}

// Len is the number of keys.
func (x *wordIndex) Len() int { return x.n }

// hashKey hashes a key eight bytes at a time, inlined where it is called: most keys are one or two words of the
// language, and hash/maphash's call cost a fifth of a lookup. The keys are the filter's own lists, not input an
// attacker chooses, so a fixed hash does not open them to collisions on purpose; a text's words only look up.
func hashKey(k string) uint64 {
	const m = 0x9E3779B97F4A7C15
	h := uint64(len(k)) * m
	for len(k) >= 8 {
		w := uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
			uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
		h = (h ^ w) * m
		h ^= h >> 29
		k = k[8:]
	}
	var w uint64
	for i := 0; i < len(k); i++ {
		w |= uint64(k[i]) << (8 * i)
	}
	h = (h ^ w) * m
	h ^= h >> 32
	h *= m
	return h ^ h>>29
}
