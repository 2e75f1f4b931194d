package isolation_test

import (
	"os"
	"testing"

	"examiner/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
