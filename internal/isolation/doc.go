// Package isolation is the isolation suite: tests that try, from outside, to make one student see
// or change another student's data, through the real HTTP API on a real PostgreSQL. It holds no
// code of its own, only tests.
//
// The model test (model_test.go) lets several students act in random interleavings (register,
// log in with good and bad passwords, log out, change passwords, create, list, read, update and
// delete exams, read and update profiles, read their sign-in trail; and practice: start and submit
// exams, read their questions, save answers of the right and the wrong kind, read answers and
// reviews, self-mark written answers, read progress), many of the operations aimed at another
// student's exams, cursors or email. After every step it checks the acting student's view against
// a small in-memory model of what each student owns, and every few steps every student's view and
// the database itself. The model learns an exam's questions from the server and its keys from the
// review (they must be the bank's), and predicts every score, mark and progress figure from them
// (model_practice_test.go). Any row or written answer of another student in a response, any
// foreign write that succeeds, any key, explanation or mark scheme outside a completed exam's
// review, any revoked token or wrong password accepted, any 5xx, or any other difference from the
// model fails the test, which prints the seed, the step, what differed and the shortest failing
// sequence it could find by replaying shrunk sequences on fresh databases. A second test runs the
// same checker against deliberately broken servers (lists with another student's token, deletes
// and practice reads retried as other students, questions served with their keys) and expects it
// to catch them with a short sequence.
//
// The model runs are seeded and bounded. Two environment variables change them:
//
//	EXAMINER_ISOLATION_OPS   operations per seeded run (default 400); raise it for soak runs
//	EXAMINER_ISOLATION_SEED  run only this seed (default: seeds 1 to 4), to replay a failure
//
// For example, to replay a reported failure and then soak:
//
//	EXAMINER_ISOLATION_SEED=3 go test -run TestModelIsolation ./internal/isolation/
//	EXAMINER_ISOLATION_OPS=5000 go test -run TestModelIsolation -timeout 30m ./internal/isolation/
//
// The attacker suite (attack_test.go) assumes worse than a client: SQL of the attacker's choosing
// running on the server's own database connection, as its login role, inside any request, with a
// genuine claim for the attacker's own student. Driven by the catalogue (every role the login
// role reaches, every student-scoped table, every function those roles may execute), it tries to
// read or change another student's rows, read a password hash, change the schema, its grants or
// roles, reach the server's programs and files, leave something on the connection for the next
// request, or read the next request's values; a second test plants faults and expects it to
// catch each.
package isolation
