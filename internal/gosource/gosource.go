// Package gosource reads string constants out of this module's Go source, so that the load
// harness and the tests can run the server's own statements without the server exporting them
// for their sake.
//
// TODO(integrator): once the statements live in sql/queries/*.sql, read them from there by
// name and drop this package.
package gosource

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Const returns the value of the string constant name declared in the package at dir (a path
// from the module root, such as "internal/store"), evaluated as the compiler does for what
// statements are made of: string literals, other constants of the package and +.
func Const(dir, name string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	pkgDir := filepath.Join(root, filepath.FromSlash(dir))
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		return "", err
	}
	consts := map[string]ast.Expr{}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(pkgDir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return "", err
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					v := spec.(*ast.ValueSpec)
					for i, n := range v.Names {
						if i < len(v.Values) {
							consts[n.Name] = v.Values[i]
						}
					}
				}
			}
		}
	}
	var eval func(e ast.Expr, depth int) (string, error)
	eval = func(e ast.Expr, depth int) (string, error) {
		if depth > 100 {
			return "", fmt.Errorf("%s: constants nested too deep", name)
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				return strconv.Unquote(e.Value)
			}
		case *ast.ParenExpr:
			return eval(e.X, depth+1)
		case *ast.Ident:
			if def, ok := consts[e.Name]; ok {
				return eval(def, depth+1)
			}
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				x, err := eval(e.X, depth+1)
				if err != nil {
					return "", err
				}
				y, err := eval(e.Y, depth+1)
				return x + y, err
			}
		}
		return "", fmt.Errorf("%s in %s: %s is not made of string literals, constants and +", name, dir, fset.Position(e.Pos()))
	}
	def, ok := consts[name]
	if !ok {
		return "", fmt.Errorf("no constant %s in %s", name, dir)
	}
	return eval(def, 0)
}

// moduleRoot is the directory holding go.mod, from the working directory up: a test's is its
// package's directory, `go run`'s where it was started.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or above", dir)
		}
	}
}
