// Command plume is Plume's single binary: web server, workers and every offline tool, one subcommand each.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/plume-services/plume/internal/config"
)

// command is one subcommand: setup declares its flags on fs and returns the function that runs it.
type command struct {
	name    string
	args    string // the positional arguments, as shown in the usage line
	summary string // one line, in French
	setup   func(fs *flag.FlagSet) func(ctx context.Context, a *app) error
}

// commands is filled by each cmd_*.go file's init, so each subcommand lives in its own file.
var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("plume: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// app is what every subcommand receives: the validated configuration, a logger and the process's streams.
type app struct {
	cfg    config.Config
	log    *slog.Logger
	args   []string // positional arguments left after the flags
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// usageError is a mistake in the command line: it is printed with the usage and exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit status, so tests can drive every subcommand.
func run(ctx context.Context, argv []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) == 0 || argv[0] == "help" || argv[0] == "-h" || argv[0] == "--help" {
		if len(argv) > 1 {
			if c, ok := commands[argv[1]]; ok {
				fs := newFlagSet(c, stderr)
				c.setup(fs)
				fs.SetOutput(stdout)
				fs.Usage()
				return 0
			}
		}
		printHelp(stdout)
		if len(argv) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[argv[0]]
	if !ok {
		fmt.Fprintf(stderr, "plume : commande inconnue %q ; « plume help » liste les commandes\n", argv[0])
		return 2
	}
	fs := newFlagSet(c, stderr)
	runCmd := c.setup(fs)
	if err := fs.Parse(argv[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "plume %s : %v\n", c.name, err)
		return 1
	}
	a := &app{cfg: cfg, log: newLogger(cfg, stderr), args: fs.Args(), stdin: stdin, stdout: stdout, stderr: stderr}
	if err := runCmd(ctx, a); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "plume %s : %s\n", c.name, ue.msg)
			fs.Usage()
			return 2
		}
		fmt.Fprintf(stderr, "plume %s : %v\n", c.name, err)
		return 1
	}
	return 0
}

func newFlagSet(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage : plume %s [options] %s\n\n%s\n", c.name, c.args, c.summary)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(out, "\nOptions :\n")
			fs.PrintDefaults()
		}
		fmt.Fprintf(out, "\nLa configuration vient des variables d'environnement (voir README.md).\n")
	}
	return fs
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "Plume aide les administrations à répondre aux avis des usagers (Services Publics+).\n\nUsage : plume <commande> [options]\n\nCommandes :\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].summary)
	}
	fmt.Fprintf(w, "\n« plume <commande> -h » détaille les options d'une commande.\n")
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
