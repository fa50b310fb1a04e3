package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/blockhub/blockhub/connectors"
	_ "github.com/blockhub/blockhub/connectors/all" // every connector
)

func newImportCommand() *cli.Command {
	cmd := &cli.Command{
		Name:      "import",
		Usage:     "capture a source into the chain with a connector",
		ArgsUsage: "CONNECTOR [ARGS...]",
		Description: "Each connector cuts its input into assets. Common flags: --rows, --exclude,\n" +
			"--format, --meta, --prevent-dups, --dry-run, --sensitive. With -o json one\n" +
			"summary object is printed (captured, skipped, records, bytes, ...).\n" +
			"bhctl help import CONNECTOR shows a connector's own flags and examples.",
		Action: importAction,
	}
	for _, spec := range connectors.All() {
		cmd.Subcommands = append(cmd.Subcommands, connectorCommand(spec))
	}
	return cmd
}

// commonFlags are the flags every connector takes.
func commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "rows", Usage: "records per asset (0: the connector's default)"},
		&cli.StringSliceFlag{Name: "exclude", Usage: "columns or fields to drop (names, or column letters)"},
		&cli.StringFlag{Name: "format", Usage: "encoding of the assets: csv, json (lines), yaml or xml (default: the source's own)"},
		&cli.StringSliceFlag{Name: "meta", Usage: "extra meta as key=value (repeatable)"},
		&cli.BoolFlag{Name: "prevent-dups", Usage: "skip what the chain already holds; resume grown files"},
		&cli.BoolFlag{Name: "dry-run", Usage: "show what would be captured, write nothing"},
		&cli.StringFlag{Name: "sensitive", Value: "warn", Usage: "scan for SSNs, card numbers, private keys, AWS keys: warn, block or off"},
	}
}

// connectorCommand makes `bhctl import NAME` from a connector's spec, so
// flags, env variables and help cannot drift from the connector.
func connectorCommand(spec connectors.Spec) *cli.Command {
	var flags []cli.Flag
	for _, o := range spec.Options {
		flags = append(flags, optionFlag(spec.Name, o))
	}
	for _, f := range commonFlags() {
		setCategory(f, "every connector")
		flags = append(flags, f)
	}
	return &cli.Command{
		Name:        spec.Name,
		Usage:       spec.Usage,
		ArgsUsage:   spec.ArgsUsage,
		Description: spec.Help,
		// The connector's own options first, then those of every import;
		// its examples from its spec end the help.
		CustomHelpTemplate: helpTemplate(false, spec.Examples),
		Flags:              flags,
		OnUsageError:       func(_ *cli.Context, err error, _ bool) error { return usageError{err} },
		Action:             withEnv(func(c *cli.Context, e *env) error { return runImport(c, e, spec) }),
	}
}

// EnvName is the env variable of a connector option.
func envName(connector, option string) string {
	r := strings.NewReplacer("-", "_", ".", "_")
	return "BH_" + strings.ToUpper(r.Replace(connector)) + "_" + strings.ToUpper(r.Replace(option))
}

func optionFlag(connector string, o connectors.Option) cli.Flag {
	env := []string{envName(connector, o.Name)}
	usage := o.Help
	if o.Required {
		usage += " (required)"
	}
	switch o.Kind {
	case connectors.Bool:
		return &cli.BoolFlag{Name: o.Name, Usage: usage, EnvVars: env, Value: o.Default == "true"}
	case connectors.List:
		return &cli.StringSliceFlag{Name: o.Name, Usage: usage, EnvVars: env}
	}
	f := &cli.StringFlag{Name: o.Name, Usage: usage, EnvVars: env, Value: o.Default}
	if o.Secret {
		f.DefaultText = "(secret)"
	}
	return f
}

// optionValues reads a spec's options from the command line.
func optionValues(c *cli.Context, spec connectors.Spec) (connectors.Values, error) {
	v := connectors.Values{}
	for _, o := range spec.Options {
		switch o.Kind {
		case connectors.Bool:
			v[o.Name] = []string{fmt.Sprint(c.Bool(o.Name))}
		case connectors.List:
			v[o.Name] = c.StringSlice(o.Name)
		default:
			if s := c.String(o.Name); s != "" {
				v[o.Name] = []string{s}
			}
		}
		if o.Required && len(v[o.Name]) == 0 {
			return nil, usagef("import %s: --%s is required", spec.Name, o.Name)
		}
	}
	return v, nil
}

func commonOptions(c *cli.Context) (connectors.Common, error) {
	meta, err := parseMeta(c.StringSlice("meta"))
	if err != nil {
		return connectors.Common{}, err
	}
	co := connectors.Common{
		Rows:        c.Int("rows"),
		Exclude:     splitList(c.StringSlice("exclude")...),
		Format:      c.String("format"),
		Meta:        meta,
		PreventDups: c.Bool("prevent-dups"),
		DryRun:      c.Bool("dry-run"),
		Sensitive:   c.String("sensitive"),
	}
	if err := co.Check(); err != nil {
		return co, usageError{err}
	}
	return co, nil
}

func runImport(c *cli.Context, e *env, spec connectors.Spec) error {
	common, err := commonOptions(c)
	if err != nil {
		return err
	}
	values, err := optionValues(c, spec)
	if err != nil {
		return err
	}
	common.Notes = e.stderr
	src, err := spec.New(c.Args().Slice(), values, common)
	if err != nil {
		var ue *connectors.UsageError
		if errors.As(err, &ue) {
			return usageError{err}
		}
		return err
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()

	root, err := e.chainFor(h, common.DryRun)
	if err != nil {
		return err
	}
	opts := connectors.ImportOptions{Connector: spec.Name, Common: common, Notes: e.stderr, Logger: e.log}
	bar := newProgress(e, src)
	if bar != nil {
		opts.Progress = func(done int64) { bar.Set64(done) }
	}
	p := newReceiptPrinter(e)
	defer p.every(200 * time.Millisecond)()
	opts.OnAsset = func(o connectors.Outcome) {
		switch {
		case e.json:
		case o.DryRun:
			e.printf("would capture %s %d %s %s\n", o.Receipt.Hash, o.Receipt.Length, o.Receipt.Type, o.Receipt.Meta)
		case o.Skipped:
		default:
			p.add(*o.Appended)
		}
		if err := p.flush(false); err != nil {
			e.log.Warn("link failed", "err", err)
		}
	}
	sum, importErr := connectors.Capture(e.ctx, h, root, src, opts)
	if err := p.flush(true); err != nil && importErr == nil {
		importErr = err
	}
	if bar != nil {
		bar.Finish()
		bar.Clear()
	}
	sum.Chain = e.chain
	if e.json {
		if err := e.printJSON(sum); err != nil {
			return err
		}
	} else if !e.quiet && importErr == nil {
		// On failure the error is the one line; chunks before it stay
		// captured and a re-run with --prevent-dups resumes after them.
		verb := "captured"
		if sum.DryRun {
			verb = "would capture"
		}
		fmt.Fprintf(e.stderr, "bhctl: import %s: %s %d asset(s), skipped %d, %d record(s), %s in %.2fs\n",
			spec.Name, verb, sum.Captured, sum.Skipped, sum.Records, humanBytes(sum.Bytes), sum.Seconds)
	}
	return importErr
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// newProgress returns a progress bar on stderr when it is a terminal and
// --quiet is not set; nil otherwise.
func newProgress(e *env, src connectors.Source) *progressbar.ProgressBar {
	f, ok := e.stderr.(*os.File)
	if e.quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	total := int64(-1)
	if s, ok := src.(connectors.Sizer); ok {
		total = s.Size()
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("importing"))
}

// setCategory puts a flag under a heading of the help.
func setCategory(f cli.Flag, category string) {
	switch f := f.(type) {
	case *cli.IntFlag:
		f.Category = category
	case *cli.StringFlag:
		f.Category = category
	case *cli.StringSliceFlag:
		f.Category = category
	case *cli.BoolFlag:
		f.Category = category
	}
}
