package zuora

import "testing"

// A 200 body is parsed for success=false only when it names the key, in
// any case (encoding/json matches keys case-insensitively).
func TestMentionsSuccess(t *testing.T) {
	for body, want := range map[string]bool{
		`{"success":false}`: true, `{"Success":true}`: true, `{"SUCCESS":false}`: true, `{"records":[],"done":true}`: false,
		``: false, `succes`: false, `{"x":"unsuccessful"}`: true,
	} {
		if got := mentionsSuccess([]byte(body)); got != want {
			t.Errorf("%q: %v, want %v", body, got, want)
		}
	}
}
