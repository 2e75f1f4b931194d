package examiner_test

import (
	"strings"
	"testing"

	"examiner"
)

func TestCheckNewPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pw      string
		wantErr bool
	}{
		{"rejects the empty password", "", true},
		{"rejects 7 characters", "abcdefg", true},
		{"accepts 8 ASCII characters", "abcdefgh", false},
		{"counts characters not bytes: 7 é (14 bytes) are too few", strings.Repeat("é", 7), true},
		{"counts characters not bytes: 8 é are enough", strings.Repeat("é", 8), false},
		{"accepts 128 characters", strings.Repeat("a", 128), false},
		{"accepts 128 é (256 bytes)", strings.Repeat("é", 128), false},
		{"rejects 129 characters", strings.Repeat("a", 129), true},
		{"accepts 64 emoji", strings.Repeat("😀", 64), false},
		{"rejects invalid UTF-8", strings.Repeat("\xff", 10), true},
		{"rejects valid text with one invalid byte", "abcdefgh\xff", true},
		{"accepts leading and trailing spaces", "  secret pass  ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := examiner.CheckNewPassword(tt.pw)
			if tt.wantErr && got == "" {
				t.Errorf("CheckNewPassword(%q): got \"\", want a reason", tt.pw)
			}
			if !tt.wantErr && got != "" {
				t.Errorf("CheckNewPassword(%q): got %q, want \"\"", tt.pw, got)
			}
		})
	}
}
