package server_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"inhouse/server"
	"inhouse/server/chat"
	"inhouse/server/servertest"
)

// BenchmarkDurableSend64 is the durability figure: 64 people send at once
// over real WebSockets, each into a conversation of its own and each waiting
// for its ack before the next send, with group commit and with one disk
// sync per message. (Fan-out is measured apart; here each message reaches
// only its sender's socket.)
func BenchmarkDurableSend64(b *testing.B) {
	for _, mode := range []string{"group-commit", "sync-per-message"} {
		b.Run(mode, func(b *testing.B) {
			ts := servertest.Start(b, func(c *server.Config) {
				c.Limits = chat.DefaultLimits
				c.Limits.SendRate, c.Limits.SendBurst = 1e9, 1e9
			})
			ts.Store().SyncPerWrite.Store(mode == "sync-per-message")
			const senders = 64
			names := make([]string, senders)
			for i := range names {
				names[i] = fmt.Sprintf("p%02d", i)
				ts.AddUser(names[i], "member")
			}
			socks := make([]*servertest.WS, senders)
			chans := make([]string, senders)
			for i, n := range names {
				c := ts.Login(n)
				chans[i] = c.CreateChannel("bench-"+n, true).ID
				socks[i] = c.Dial()
			}
			lat := make([][]time.Duration, senders)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for i, ws := range socks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := i; j < b.N; j += senders {
						t0 := time.Now()
						ws.Send(map[string]any{"type": "send", "id": fmt.Sprint("m", j), "channel": chans[i], "text": "a message of ordinary length for an office chat"})
						for {
							f := ws.Read()
							if f.Str("type") == "ack" {
								break
							}
						}
						lat[i] = append(lat[i], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) > 0 {
				b.ReportMetric(float64(len(all))/elapsed.Seconds(), "acked/s")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ack-ms")
				b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ack-ms")
			}
		})
	}
}
