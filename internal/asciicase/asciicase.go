// Package asciicase changes the case of ASCII letters only, as the rules
// language's lower() and upper() do; other bytes stay as they are. A string
// that has nothing to change is returned as it is, without a copy.
package asciicase

// Lower returns s with A to Z made a to z.
func Lower(s string) string { return mapLetters(s, 'A', 'Z') }

// Upper returns s with a to z made A to Z.
func Upper(s string) string { return mapLetters(s, 'a', 'z') }

// mapLetters flips the case of the bytes from lo to hi; ASCII letters
// differ in case by the bit 0x20.
func mapLetters(s string, lo, hi byte) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= lo && c <= hi {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= lo && b[j] <= hi {
					b[j] ^= 0x20
				}
			}
			return string(b)
		}
	}
	return s
}
