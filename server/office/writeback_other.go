//go:build !linux

package office

import "os"

// startWriteback: other systems write back on their own schedule.
func startWriteback(*os.File, int64, int64) {}

// lowerPriority: elsewhere an upload's thread keeps its priority.
func lowerPriority() {}
