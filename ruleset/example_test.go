package ruleset_test

import (
	"fmt"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
)

func ExampleEngine_Evaluate() {
	file, err := ruleset.Load("../examples/rules/bot-management.json")
	if err != nil {
		panic(err)
	}
	engine, err := ruleset.Compile(file.Ruleset, fields.Cloudflare())
	if err != nil {
		panic(err)
	}
	ctx := eval.NewContext(fields.Cloudflare())
	_ = ctx.SetName("cf.bot_management.score", eval.Int(20))
	_ = ctx.SetName("http.user_agent", eval.String("App_Name 2.0"))
	_ = ctx.SetName("http.request.uri.path", eval.String("/feed"))
	d := engine.Evaluate(ctx)
	fmt.Println(d.Action, d.Rule.Ref)
	// Output: challenge mobile-challenge
}
