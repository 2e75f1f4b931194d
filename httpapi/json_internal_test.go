package httpapi

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// tooDeep reports whether err is decode's refusal of a body nested too deep.
func tooDeep(err error) bool { return err != nil && strings.Contains(err.Error(), "too deep") }

func decodeBody(body string) error {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	_, err := decode[any](httptest.NewRecorder(), r)
	return err
}

func TestBodiesNestUpToMaxDepthAndNoDeeper(t *testing.T) {
	t.Parallel()
	nested := func(n int) string { return strings.Repeat(`{"a":[`, n/2) + strings.Repeat(`]}`, n/2) }
	tests := []struct {
		name    string
		body    string
		refused bool
	}{
		{"32 levels", nested(MaxDepth), false},
		{"34 levels", nested(MaxDepth + 2), true},
		{"33 arrays", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), true},
		{"brackets inside a string", `{"a":"` + strings.Repeat("[{", 100) + `"}`, false},
		{"brackets after an escaped quote", `{"a":"\"` + strings.Repeat("[", 100) + `\\"}`, false},
		{"a million unclosed brackets", strings.Repeat("[", MaxBodyBytes), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeBody(tt.body)
			if got := tooDeep(err); got != tt.refused {
				t.Fatalf("refused as too deep: got %v (%v), want %v", got, err, tt.refused)
			}
		})
	}
}

// A body of a million "[" is refused in about the memory its first few bytes take, not a stack
// entry per bracket. Not parallel: it reads the process's allocation counter.
func TestADeeplyNestedBodyIsRefusedWithoutAllocatingPerLevel(t *testing.T) {
	body := strings.Repeat("[", MaxBodyBytes)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := decodeBody(body)
	runtime.ReadMemStats(&after)
	if !tooDeep(err) {
		t.Fatalf("decode: got %v, want a refusal as too deep", err)
	}
	// Less than the body itself: it is refused before it is all read.
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("decoding a body of %d \"[\" allocated %d bytes", len(body), got)
	if got > MaxBodyBytes/4 {
		t.Fatalf("decoding allocated %d bytes, want under %d", got, MaxBodyBytes/4)
	}
}

func TestValidTextRefusesInvalidBytesAndLoneSurrogatesOnly(t *testing.T) {
	t.Parallel()
	for literal, want := range map[string]bool{
		`"plain"`:                    true,
		`"\ufffd"`:                   true, // the replacement character, written as an escape, is a character
		"\"\uFFFD\"":                 true,
		`"\ud83d\ude00"`:             true, // a surrogate pair: 😀
		`"\\ud800"`:                  true, // an escaped backslash, then text
		`"a\n\"\\\/"`:                true,
		"\"\xff\xfe\"":               false,
		"\"caf\xc3\"":                false, // a truncated sequence
		`"\ud800"`:                   false,
		`"\uDBFF x"`:                 false,
		`"\udc00"`:                   false,
		`"\ud800\u0041"`:             false,
		`"\ud800\ud800\udc00"`:       false,
		`"x\ud83d\ude00\ud83d"`:      false,
		`"\ud83d\ude00\ud83d\ude00"`: true,
	} {
		if got := validText([]byte(literal)); got != want {
			t.Errorf("validText(%s): got %v, want %v", literal, got, want)
		}
	}
}
