package server

import (
	"bytes"
	"net"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// initMetrics registers this server's metrics in its own set.
func (s *Server) initMetrics() {
	set := metrics.NewSet()
	s.metricSet = set
	s.loginFailures = set.NewCounter("inhouse_login_failures_total")
	set.NewGauge("inhouse_connections", func() float64 { return float64(s.hub.Conns()) })
	set.NewGauge("inhouse_people_online", func() float64 { return float64(s.hub.Online()) })
	set.NewGauge("inhouse_messages_total", func() float64 { return float64(s.hub.Messages.Load()) })
	set.NewGauge("inhouse_deliveries_total", func() float64 { return float64(s.hub.Delivered.Load()) })
	set.NewGauge("inhouse_slow_clients_dropped_total", func() float64 { return float64(s.hub.Dropped.Load()) })
	set.NewGauge("inhouse_slow_socket_writes_total", func() float64 { return float64(s.hub.ShortWrites.Load()) })
	set.NewGauge("inhouse_fanout_seconds_total", func() float64 { return float64(s.hub.FanoutNano.Load()) / 1e9 })
	set.NewGauge("inhouse_commit_batches_total", func() float64 { return float64(s.store.Batches.Load()) })
	set.NewGauge("inhouse_commit_writes_total", func() float64 { return float64(s.store.Writes.Load()) })
	set.NewGauge("inhouse_disk_sync_seconds_total", func() float64 { return float64(s.store.SyncNanos.Load()) / 1e9 })
	set.NewGauge("inhouse_database_bytes", func() float64 { return float64(s.store.Size()) })
	set.NewGauge("inhouse_database_healthy", func() float64 {
		if s.store.Healthy() != nil {
			return 0
		}
		return 1
	})
}

// GET /metrics: Prometheus text, for an admin session or from this machine.
func (s *Server) metrics(ctx *fasthttp.RequestCtx) {
	if ip := net.IP(ctx.RemoteIP()); !ip.IsLoopback() {
		_, u, ok := s.session(ctx)
		if !ok || u.Role != archive.RoleAdmin {
			jsonError(ctx, fasthttp.StatusForbidden, "forbidden", "Metrics are for admins and this machine.")
			return
		}
	}
	var buf bytes.Buffer
	s.metricSet.WritePrometheus(&buf)
	metrics.WriteProcessMetrics(&buf)
	ctx.SetContentType("text/plain; version=0.0.4; charset=utf-8")
	ctx.SetBody(buf.Bytes())
}
