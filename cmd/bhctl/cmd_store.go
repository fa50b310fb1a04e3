package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain/store/mysqlstore"
)

func newStoreCommand() *cli.Command {
	return &cli.Command{
		Name:  "store",
		Usage: "store administration",
		Subcommands: []*cli.Command{
			{
				Name:      "ddl",
				Usage:     "print the SQL that creates a MySQL store's tables, for a DBA to run",
				ArgsUsage: "mysql://USER@HOST:PORT/DB[?table_prefix=bh_]",
				Description: "Use with ?create=false on the store URL when bhctl may not create tables.\n" +
					"Nothing is connected to: the URL only names the table prefix.",
				Action: runStoreDDL,
			},
		},
	}
}

func runStoreDDL(c *cli.Context) error {
	e, err := newEnv(c)
	if err != nil {
		return err
	}
	if err := needArgs(c, 1, "one mysql:// store URL"); err != nil {
		return err
	}
	u := c.Args().First()
	if !strings.HasPrefix(u, "mysql://") {
		return usagef("store ddl: %q is not a mysql:// URL (only the MySQL store has tables to create)", u)
	}
	ddl, err := mysqlstore.URLDDL(u)
	if err != nil {
		return usageError{err}
	}
	e.printf("%s", ddl)
	return nil
}
