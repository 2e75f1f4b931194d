package consts

const (
	part   = `b`
	joined = "a" + (part + `c`)
	number = 1
	called = string(rune(number))
)

const unset, both = "x", "y"
