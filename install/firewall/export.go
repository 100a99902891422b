package firewall

import (
	"bytes"
	"encoding/json"
)

// JSON is the catalog in the format Parse reads (`--catalog`), indented
// like catalog.json, with a newline at the end: what `inhouse firewall
// --export-catalog` writes and the console offers to download. A catalog
// from before the two dates were apart comes out with both.
func (c *Catalog) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // notes and sources stay readable: & < > as they are
	enc.SetIndent("", " ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
