// Package examiner is the core of the service: the domain's types and every rule about them,
// stated once. Limits, allowed values, patterns and state transitions live here; the HTTP layer
// checks requests against them, the store maps rows onto the types, and where the database
// checks a rule too (a CHECK constraint), core_db_test.go proves the two agree.
//
// The package imports nothing of the project's and nothing that talks to the outside world, so
// every other package may depend on it (benbjohnson/wtf's standard package layout).
package examiner
