package ruletest_test

import (
	"cmp"
	"fmt"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruletest"
)

// Run the seed's suite as a Go test would.
func Example() {
	suite, err := ruletest.Load("../examples/rules/bot-management.test.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	results, err := suite.Run(fields.Cloudflare())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Println(r.Err)
			continue
		}
		fmt.Printf("ok %s: %s\n", r.Case.Name, cmp.Or(string(r.Got.Action), ruletest.None))
	}
	// Output:
	// ok the API is exempt, however automated its client: skip
	// ok the mobile app is blocked when it is certainly automated: block
	// ok the mobile app is challenged when it is likely automated: challenge
	// ok the mobile app passes when it is likely human: none
	// ok a likely bot on a browser path is blocked: block
	// ok a browser at score 29 is still blocked: block
	// ok at score 30 a browser passes: none
	// ok a verified crawler passes, though its score is 1: none
	// ok a request without a bot score is never blocked for its score: none
}
