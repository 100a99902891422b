// Package assets embeds what browsers load: the employee web client (plain
// ES modules and CSS, no build step) and the console's stylesheet.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed web console
var files embed.FS

// Web is the web client's folder: index.html at its root, served at /.
var Web, _ = fs.Sub(files, "web")

// Console holds the admin console's stylesheet, served at /console/.
var Console, _ = fs.Sub(files, "console")
