package query

// WhereFields lists the fields the WHERE names, in order, each once as written.
func (s *Select) WhereFields() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(e Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case *cond:
			if !seen[x.lower] {
				seen[x.lower] = true
				out = append(out, x.field)
			}
		case *binary:
			walk(x.l)
			walk(x.r)
		case *notExpr:
			walk(x.e)
		}
	}
	if s.Where != nil {
		walk(s.Where)
	}
	return out
}
