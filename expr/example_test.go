package expr_test

import (
	"fmt"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
)

func ExampleParse() {
	f, err := expr.Parse(`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`)
	if err != nil {
		panic(err)
	}
	fmt.Println(ast.Format(f))
	fmt.Println(ast.Dump(f))
	// Output:
	// (cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)
	// and{lt{cf.bot_management.score 30} not{cf.bot_management.verified_bot}}
}

func ExampleError() {
	_, err := expr.Parse(`cf.bot_management.score lt 30 AND ssl`)
	fmt.Println(err)
	// Output:
	// Filter parsing error (1:31):
	// cf.bot_management.score lt 30 AND ssl
	//                               ^^^
	// `AND` is not an operator: operators and keywords are lowercase; did you mean `and`?
}

// The five-line shape of the library, as the README shows it.
func ExampleCompile() {
	scheme := fields.Cloudflare()
	rule, err := expr.Compile(`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`, scheme)
	if err != nil {
		panic(err)
	}
	ctx := eval.NewContext(scheme)
	score, _ := scheme.Field("cf.bot_management.score")
	_ = ctx.Set(score, eval.Int(12))
	fmt.Println(rule.Match(ctx))
	ctx.Reset()
	_ = ctx.SetName("cf.bot_management.score", eval.Int(87))
	fmt.Println(rule.Match(ctx))
	// Output:
	// true
	// false
}

func ExampleCompileValue() {
	rewrite, err := expr.CompileValue(`regex_replace(http.request.uri.path, "^/old/(.*)$", "/new/${1}")`, fields.Cloudflare())
	if err != nil {
		panic(err)
	}
	ctx := eval.NewContext(fields.Cloudflare())
	_ = ctx.SetName("http.request.uri.path", eval.String("/old/shoes"))
	fmt.Println(rewrite.Eval(ctx))
	// Output: "/new/shoes"
}

func ExampleErrorList() {
	_, err := expr.Compile(`cf.bot_managment.score lt 30 and http.host eq 3`, fields.Cloudflare())
	fmt.Println(err)
	// Output:
	// Filter parsing error (1:1):
	// cf.bot_managment.score lt 30 and http.host eq 3
	// ^^^^^^^^^^^^^^^^^^^^^^
	// unknown field `cf.bot_managment.score`; did you mean `cf.bot_management.score`?
	//
	// Filter parsing error (1:47):
	// cf.bot_managment.score lt 30 and http.host eq 3
	//                                               ^
	// a String value must be quoted; write `"3"`
}
