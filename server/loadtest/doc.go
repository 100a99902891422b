// Package loadtest measures Inhouse the way an office uses it: real
// accounts, real WebSockets on loopback, the server in a process of its own
// (pinned to one core, the load on the other) so its memory and CPU are its
// own. Each scenario is a function from options to a result with medians and
// percentiles. The command inhouse-load (cmd/inhouse-load, a binary of its
// own so the product binary carries none of this) runs them, and
// `bench.sh` writes docs/performance.md from the median of three runs.
//
// Accounts, sessions and channels are written into the data folder with the
// archive before the server starts: signing in 10,000 people through argon2
// would measure the password hash, not the chat.
package loadtest
