package jsonstr

import "testing"

// A chat message's usual text: plain letters, spaces and punctuation.
func BenchmarkAppendPlain(b *testing.B) {
	buf := make([]byte, 0, 256)
	s := "a message of ordinary length for an office chat, with a comma. And a second sentence!"
	b.SetBytes(int64(len(s)))
	for range b.N {
		buf = Append(buf[:0], s)
	}
}
