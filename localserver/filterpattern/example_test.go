package filterpattern_test

import (
	"errors"
	"fmt"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

func ExampleParse() {
	p, err := filterpattern.Parse(`{ $.level = "ERROR" && $.latency > 1e3 }`)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Match(`{"level": "ERROR", "latency": 1500}`))
	fmt.Println(p.Match(`{"level": "ERROR", "latency": 20}`))
	fmt.Println(p.Match(`ERROR latency=1500`))
	// Output:
	// true
	// false
	// false
}

func ExampleParse_syntaxError() {
	_, err := filterpattern.Parse(`ERROR user@example.com`)
	var se *filterpattern.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Pos)
		fmt.Println(se.Msg)
	}
	// Output:
	// 10
	// term "user@example.com" contains '@': terms with characters other than letters, digits and '_' must be enclosed in double quotes, e.g. "user@example.com"
}

func ExamplePattern_Match_spaceDelimited() {
	p := filterpattern.MustParse(`[ip, user, ..., status_code = 4*, bytes > 1000]`)
	fmt.Println(p.Match(`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`))
	fmt.Println(p.Match(`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 200 1534`))
	// Output:
	// true
	// false
}

func ExamplePattern_RequiredLiterals() {
	p := filterpattern.MustParse(`ERROR "disk full" -retry`)
	// A store can keep only rows containing every literal (for example
	// with SQL instr()) and then call Match on those.
	fmt.Printf("%q\n", p.RequiredLiterals())
	fmt.Println(p.Match("ERROR: disk full on /dev/sda"))
	// Output:
	// ["ERROR" "disk full"]
	// true
}

func ExamplePattern_String() {
	p := filterpattern.MustParse(`{($.a=1)&&($.b=x||$.c IS NULL)}`)
	fmt.Println(p.String())
	// Output:
	// { $.a = 1 && ($.b = "x" || $.c IS NULL) }
}

func ExamplePattern_MatchAll() {
	fmt.Println(filterpattern.MustParse(`" "`).MatchAll())
	fmt.Println(filterpattern.MustParse(`ERROR`).MatchAll())
	// Output:
	// true
	// false
}
