// Package all registers every source connector; import it for its side
// effect.
package all

import ()
