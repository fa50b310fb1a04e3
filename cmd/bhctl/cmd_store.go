package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain/store/cluster"
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
				Action: withEnv(runStoreDDL),
			},
			{
				Name:  "repair",
				Usage: "copy objects back to the members of a store cluster that lack them or hold them damaged",
				Description: "Give the cluster as for any command (--block-store and --asset-store\n" +
					"repeated, --cluster POLICY). Every asset copy is read back and checked\n" +
					"against its hash: missing copies are made and damaged ones replaced\n" +
					"(folder and S3 members) from a member whose copy checks out; a good copy\n" +
					"is never overwritten. Prints what it copied and replaced.",
				Action: withEnv(runStoreRepair),
			},
		},
	}
}

func runStoreRepair(c *cli.Context, e *env) error {
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	r, err := cluster.Repair(e.ctx, h.Assets, h.Blocks)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(r)
	}
	e.printf("%s\n", r)
	return nil
}

func runStoreDDL(c *cli.Context, e *env) error {
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
