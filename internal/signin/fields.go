package signin

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// checkEmail returns the email as stored (surrounding spaces removed) and the key it is compared
// by, or what is wrong with it.
func checkEmail(raw string) (email, key, problem string) {
	email = strings.TrimSpace(raw)
	switch {
	case email == "":
		return "", "", "is required"
	case len(email) > 254:
		return "", "", "must be at most 254 characters"
	case strings.IndexFunc(email, unicode.IsControl) >= 0 || !utf8.ValidString(email):
		return "", "", "must not contain control characters"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", "", "must be an email address such as name@example.com"
	}
	return email, emailKey(email), ""
}

// emailKey is what makes two emails the same account: Unicode case folding (so "ſ" is "s" and
// "ς" is "σ", which lower-casing misses) and NFC normalisation. The database compares keys, not
// emails, because its lower() depends on its locale.
func emailKey(email string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(email)))
}

// CheckFullName returns the name as stored (surrounding spaces removed), or what is wrong with it.
func CheckFullName(raw string) (string, string) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", "is required"
	case utf8.RuneCountInString(name) > 100:
		return "", "must be at most 100 characters"
	case strings.IndexFunc(name, unicode.IsControl) >= 0 || !utf8.ValidString(name):
		return "", "must not contain control characters"
	}
	return name, ""
}
