package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/blockhub/blockhub/connectors/api"
)

// One chunk per week of a dated report API; run it with connectors.Import
// to put the chunks on a chain.
func Example() {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"from":%q,"rows":[]}`, r.URL.Query().Get("from"))
	}))
	defer ts.Close()
	from, _ := time.Parse("2006-01-02", "2026-01-01")
	src, err := api.New(api.Config{
		URL:    ts.URL + "/report?from={from}&to={to}",
		From:   from,
		To:     from.AddDate(0, 0, 21),
		Window: "week",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for c, err := range src.Chunks(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(c.Meta["window"], string(c.Data))
	}
	// Output:
	// [2026-01-01 2026-01-08] {"from":"2026-01-01","rows":[]}
	// [2026-01-08 2026-01-15] {"from":"2026-01-08","rows":[]}
	// [2026-01-15 2026-01-22] {"from":"2026-01-15","rows":[]}
}
