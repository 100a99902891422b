package firewall

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

const usage = "usage: inhouse firewall --format FORMAT [--block ID,ID,...|all] [--list] [--catalog FILE] | --export-catalog [--catalog FILE]"

// Main runs `inhouse firewall`; args are the words after "firewall".
// It returns the exit status: 0 ok, 2 bad usage or bad catalog, 1 otherwise.
func Main(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("firewall", flag.ContinueOnError)
	fl.SetOutput(io.Discard) // errors are reported below, in one line
	format := fl.String("format", "", "output format: "+strings.Join(Formats(), ", "))
	block := fl.String("block", "all", `comma-separated ids to block, or "all" (every messenger; doh and stun only when named)`)
	list := fl.Bool("list", false, "print the catalog: ID<TAB>Name<TAB>date checked")
	catFile := fl.String("catalog", "", "use this catalog JSON file instead of the built-in one")
	export := fl.Bool("export-catalog", false, "write the catalog in use (built-in, or --catalog's) as JSON, the format --catalog reads")
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "inhouse firewall: "+format+"\n", args...)
		return code
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			fmt.Fprintln(stdout, "formats: "+strings.Join(Formats(), ", "))
			return 0
		}
		return fail(2, "%v (%s)", err, usage)
	}
	if fl.NArg() > 0 {
		return fail(2, "unexpected argument %q (%s)", fl.Arg(0), usage)
	}

	cat, err := loadCatalog(*catFile)
	if err != nil {
		if errors.Is(err, ErrInvalidCatalog) {
			return fail(2, "%v", err)
		}
		return fail(1, "%v", err)
	}
	if *export {
		if *format != "" || *list {
			return fail(2, "--export-catalog writes the catalog only: leave out --format and --list")
		}
		data, err := cat.JSON()
		if err == nil {
			_, err = stdout.Write(data)
		}
		if err != nil {
			return fail(1, "%v", err)
		}
		return 0
	}
	if *list {
		for _, e := range cat.Entries {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", e.ID, e.Name, e.Compared, e.SourceDate)
		}
		return 0
	}
	if *format == "" {
		return fail(2, "missing --format (one of: %s)", strings.Join(Formats(), ", "))
	}
	if _, ok := formats[*format]; !ok {
		return fail(2, "unknown format %q (one of: %s)", *format, strings.Join(Formats(), ", "))
	}
	ids := splitIDs(*block)
	if len(ids) == 0 {
		return fail(2, "--block needs ids or \"all\"")
	}
	if _, err := cat.Select(ids); err != nil {
		return fail(2, "%v", err)
	}
	now := time.Now()
	if stale, why := cat.Stale(now); stale {
		fmt.Fprintln(stderr, "inhouse firewall: warning: "+why) // the file's header says it too
	}
	if err := RenderAt(stdout, *format, cat, ids, now); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

func loadCatalog(file string) (*Catalog, error) {
	if file == "" {
		return Load()
	}
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("catalog %s: file not found", file)
		}
		return nil, err
	}
	return Parse(data, file)
}

func splitIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
