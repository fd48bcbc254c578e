package localserver

import (
	"os"
	"testing"
)

func TestMain(mm *testing.M) {
	if os.Getenv(crashServerEnv) != "" {
		runCrashServer()
		return
	}
	code := mm.Run()
	if datasetDir != "" {
		os.RemoveAll(datasetDir)
	}
	if motoProc != nil {
		motoProc.Process.Kill()
		motoProc.Wait()
	}
	os.Exit(code)
}
