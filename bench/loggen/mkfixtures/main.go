// Command mkfixtures writes the test fixtures under testdata/logs from the
// generator (run from the repository root: go run ./bench/loggen/mkfixtures).
// The fixtures are committed; bench/loggen's tests check that they still
// match the generator.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/resreport/resreport/bench/loggen"
)

func main() {
	root := "testdata/logs"
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for _, fx := range loggen.Fixtures() {
		dir := filepath.Join(root, fx.Name)
		if err := os.RemoveAll(dir); err != nil {
			fail(err)
		}
		if err := fx.Write(dir); err != nil {
			fail(err)
		}
		fmt.Println("wrote", dir)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkfixtures:", err)
	os.Exit(1)
}
