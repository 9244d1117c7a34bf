package expr_test

import (
	"fmt"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
)

func ExampleParse() {
	f, err := expr.Parse(`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`)
	if err != nil {
		panic(err)
	}
	fmt.Println(ast.Format(f))
	fmt.Println(ast.Dump(f))
	// Output:
	// cf.bot_management.score lt 30 and not cf.bot_management.verified_bot
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
