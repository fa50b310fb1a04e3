// Package all registers every oracle target driver: import it for its
// side effects.
package all

import (
	_ "github.com/blockhub/blockhub/oracle/csvtarget"   // csv:
	_ "github.com/blockhub/blockhub/oracle/mongotarget" // mongodb://
	_ "github.com/blockhub/blockhub/oracle/mysqltarget" // mysql://
)
