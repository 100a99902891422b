package wsconn

import (
	"encoding/binary"

	"github.com/fasthttp/websocket"
)

// The writer builds server frames itself (they are never masked) so that
// every frame waiting for a connection goes out in one write: one system
// call for a burst instead of one per message. Only one goroutine at a time
// writes to the socket; control replies the reader must send (pong, close)
// are queued to it.

// appendFrame appends one final, unmasked frame of opcode with payload.
func appendFrame(buf []byte, opcode byte, payload []byte) []byte {
	buf = append(buf, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		buf = append(buf, byte(n))
	case n <= 0xffff:
		buf = append(buf, 126)
		buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	default:
		buf = append(buf, 127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	return append(buf, payload...)
}

func textFrame(buf, payload []byte) []byte { return appendFrame(buf, websocket.TextMessage, payload) }

// controlFrame is a whole ping, pong or close frame (payload ≤ 125 bytes).
func controlFrame(opcode int, payload []byte) []byte {
	if len(payload) > 125 {
		payload = payload[:125]
	}
	return appendFrame(nil, byte(opcode), payload)
}
