package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

func init() {
	// bhctl --version, as restic and rclone have it; -v is --verbose.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version and commit of bhctl"}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, buildVersion().String()) }
	commandExamples["version"] = "bhctl version -o json"
}

func newVersionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and commit of bhctl",
		Description: "The module version and the commit come from the build info Go stamps into\n" +
			"the binary (go install, go build in a clone); a test binary has neither.",
		Action: withEnv(func(c *cli.Context, e *env) error {
			v := buildVersion()
			if e.json {
				return e.printJSON(v)
			}
			e.printf("%s\n", v)
			return nil
		}),
	}
}

// version is what bhctl was built from.
type version struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

func buildVersion() version {
	v := version{Version: "(unknown)", Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Module, v.Version = info.Main.Path, info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (v version) String() string {
	s := "bhctl " + v.Version
	if v.Commit != "" {
		s += " commit " + v.Commit
		if v.Modified {
			s += " (modified)"
		}
		if v.Time != "" {
			s += " " + v.Time
		}
	}
	return s + " " + v.Go
}
