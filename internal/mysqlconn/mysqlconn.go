// Package mysqlurl turns mysql:// URLs into go-sql-driver/mysql
// configurations, the one way for the MySQL store, the sql connector and
// the MySQL oracle target. Its errors never hold the password.
package mysqlconn

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// PasswordEnv is read for the password when the URL has none.
const PasswordEnv = "BH_MYSQL_PASSWORD"

// DefaultPort is the port used when the URL names none.
const DefaultPort = "3306"

// Config reads the user, password (from the URL, else $BH_MYSQL_PASSWORD
// through getenv), address (default 127.0.0.1:3306) and database of
// mysql://user:pass@host:port/db. URL parameters are left to Params.
func Config(u *url.URL, getenv func(string) string) (*mysql.Config, error) {
	if u.Opaque != "" {
		return nil, errors.New("want mysql://user:pass@host:3306/db")
	}
	m := mysql.NewConfig()
	if u.User != nil {
		m.User = u.User.Username()
		if p, ok := u.User.Password(); ok {
			m.Passwd = p
		} else {
			m.Passwd = getenv(PasswordEnv)
		}
	}
	if m.User == "" {
		return nil, errors.New("no user in the URL: mysql://user:pass@host:3306/db")
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1"
	}
	if u.Port() == "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), DefaultPort)
	}
	m.Net, m.Addr = "tcp", host
	m.DBName = strings.TrimPrefix(u.Path, "/")
	if m.DBName == "" || strings.Contains(m.DBName, "/") {
		return nil, fmt.Errorf("want one database name in the URL path (mysql://user:pass@host:3306/db), got %q", u.Path)
	}
	return m, nil
}

// Params applies the URL parameters tls and socket to m. Any other
// parameter goes to other, which reports whether it knows it (nil: none
// other is known); an unknown one is an error listing known.
func Params(m *mysql.Config, q url.Values, known string, other func(k, v string) (bool, error)) error {
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "tls":
			switch v {
			case "true", "false", "skip-verify", "preferred":
				m.TLSConfig = v
			default:
				return fmt.Errorf("tls=%q: want true, false, skip-verify or preferred", v)
			}
		case "socket":
			if v == "" {
				return errors.New("socket: want the path of the server's unix socket")
			}
			m.Net, m.Addr = "unix", v
		default:
			ok := false
			if other != nil {
				var err error
				if ok, err = other(k, v); err != nil {
					return err
				}
			}
			if !ok {
				return fmt.Errorf("unknown URL parameter %q (known: %s)", k, known)
			}
		}
	}
	return nil
}

// Quote quotes a table or column name for MySQL: in backticks, with any
// backtick doubled.
func Quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }
