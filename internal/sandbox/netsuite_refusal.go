package sandbox

import (
	"fmt"
	"net/http"
	"time"
)

// NetSuite's refusals of a request over its concurrency limit or request
// rate (real-api-gaps N7). Which one a client meets is not documented for
// REST: 429 in some reports, 400 SSS_REQUEST_LIMIT_EXCEEDED as RESTlets
// answer, and 401 "Invalid login attempt" after ~60 s of waiting in others
// (docs.oracle.com … bridgehead_1525252812; julbrs/netsuite-api-client
// issue 26). Hostile reading: each run meets one of them, chosen when the
// sandbox starts, unless the fault setting names one.
const (
	Refusal429          = "429"
	RefusalRequestLimit = "SSS_REQUEST_LIMIT_EXCEEDED"
	RefusalInvalidLogin = "INVALID_LOGIN"
)

var refusalShapes = []string{Refusal429, RefusalRequestLimit, RefusalInvalidLogin}

func validateRefusalShape(s string) error {
	if s == "" {
		return nil
	}
	for _, r := range refusalShapes {
		if s == r {
			return nil
		}
	}
	return fmt.Errorf("faults: refusalShape %q is not one of %v", s, refusalShapes)
}

// refusalShape is the shape this request gets: the fault setting's, or the run's.
func (n *netsuiteAPI) refusalShape() string {
	if s := n.state.getFaults().RefusalShape; s != "" {
		return s
	}
	return n.runRefusal
}

// refuse answers a refused request in the run's shape.
func (n *netsuiteAPI) refuse(w http.ResponseWriter, detail string) {
	shape := n.refusalShape()
	n.state.injectedFault("refusal:" + shape)
	switch shape {
	case RefusalRequestLimit:
		nsError(w, 400, "SSS_REQUEST_LIMIT_EXCEEDED", "", "Request limit exceeded. "+detail)
	case RefusalInvalidLogin:
		wait := time.Duration(n.state.getFaults().RefusalWait)
		if wait <= 0 {
			wait = time.Second
		}
		time.Sleep(wait)
		nsError(w, 401, "INVALID_LOGIN", "", "Invalid login attempt.")
	default:
		nsError(w, 429, "CONCURRENCY_LIMIT_EXCEEDED", "", detail)
	}
}
