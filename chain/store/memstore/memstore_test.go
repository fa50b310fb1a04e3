package memstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	_ "github.com/blockhub/blockhub/chain/store/memstore"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

var n atomic.Int64

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.URLHarness(func(t *testing.T) string {
		return fmt.Sprintf("mem://conformance-%d", n.Add(1))
	}))
}
